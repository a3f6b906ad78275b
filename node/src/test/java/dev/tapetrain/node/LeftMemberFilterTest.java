package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

/**
 * A normal cluster run ends quietly: Akka's warning that a leaving or exiting member became
 * unreachable is dropped, while an Up member becoming unreachable is still a warning.
 */
class LeftMemberFilterTest {

  private final LoggerContext context = new LoggerContext();
  private final LeftMemberFilter filter = new LeftMemberFilter();

  private FilterReply decide(String logger, Level level, String message) {
    return filter.decide(null, context.getLogger(logger), level, "{}", new Object[] {message},
        null);
  }

  @Test
  void aLeavingMemberMarkedUnreachableIsDroppedAnUpOneIsNot() {
    String node = "Cluster Node [akka://tapetrain@127.0.0.1:2551] - Marking node as UNREACHABLE "
        + "[Member(akka://tapetrain@127.0.0.1:35497, ";
    assertEquals(FilterReply.DENY, decide("akka.cluster.Cluster", Level.WARN, node
        + "Leaving)]."));
    assertEquals(FilterReply.DENY, decide("akka.cluster.Cluster", Level.WARN, node
        + "Exiting)]."));
    assertEquals(FilterReply.NEUTRAL, decide("akka.cluster.Cluster", Level.WARN, node
        + "Up)]."));
    assertEquals(FilterReply.NEUTRAL, decide("dev.tapetrain.Other", Level.WARN, node
        + "Leaving)]."));
    assertEquals(FilterReply.DENY, filter.decide(null, context.getLogger("akka.cluster.Cluster"),
        Level.WARN, node + "Leaving)].", null, null), "also as the format itself");
  }

  @Test
  void anUpMemberMarkedUnreachableAfterTheRunEndedIsDropped() {
    String up = "Cluster Node [akka://tapetrain@127.0.0.1:2551] - Marking node as UNREACHABLE "
        + "[Member(akka://tapetrain@127.0.0.1:35497, Up)].";
    try {
      RunEnd.runEnded();
      assertEquals(FilterReply.DENY, decide("akka.cluster.Cluster", Level.WARN, up));
      assertEquals(FilterReply.NEUTRAL, decide("dev.tapetrain.Other", Level.WARN, up));
      RunEnd.runStarts();
      assertEquals(FilterReply.NEUTRAL, decide("akka.cluster.Cluster", Level.WARN, up),
          "the next run reports it again");
    } finally {
      RunEnd.runStarts();
    }
  }
}
