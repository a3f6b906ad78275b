package dev.tapetrain.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Akka's warning that a member which announced its leave became unreachable ("Marking
 * node as UNREACHABLE [Member(…, Leaving)]", or Exiting): that is how a worker that stopped at
 * the end of a run disappears when another node saw it out first, so every normal cluster run
 * ended with such lines (issue 25). An Up member becoming unreachable is still reported — while
 * a run lasts: once this JVM's run has ended ({@link RunEnd#runEnded}), a worker process that
 * exits before its leave was seen is no news either (a new-user round saw two such warnings
 * after a successful run, in one cluster run of four). Configured in
 * {@code logback-launcher.xml}.
 */
public final class LeftMemberFilter extends TurboFilter {

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format,
      Object[] params, Throwable t) {
    if (level != Level.WARN || logger == null || !logger.getName().startsWith("akka.cluster")) {
      return FilterReply.NEUTRAL;
    }
    return leftMemberUnreachable(format) || (params != null && params.length == 1
        && leftMemberUnreachable(String.valueOf(params[0]))) ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }

  /**
   * Whether {@code message} reports a leaving or exiting member unreachable, or any member once
   * the run has ended.
   */
  static boolean leftMemberUnreachable(String message) {
    return message != null && message.contains("Marking node as UNREACHABLE")
        && (RunEnd.ended() || message.contains(", Leaving)") || message.contains(", Exiting)"));
  }
}
