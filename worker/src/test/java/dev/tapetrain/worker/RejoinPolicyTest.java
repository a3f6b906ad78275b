package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.WorkerProtocol.RejoinWindow;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How long a cut-off worker keeps trying (issue 25, item 4): the longer of its own
 * --coordinator-timeout and the coordinator's --rejoin-timeout plus its downing time, across
 * the fresh actor systems it starts once the coordinator surely removed it.
 */
class RejoinPolicyTest {

  private static final long S = 1_000_000_000L;
  private static final RejoinWindow DEFAULTS =
      new RejoinWindow(Duration.ofSeconds(60), Duration.ofSeconds(15));

  @Test
  void beforeAdmissionOnlyTheWorkersOwnTimeoutCountsAndItNeverStartsAfresh() {
    RejoinPolicy p = new RejoinPolicy(Duration.ofSeconds(20));
    assertEquals(Duration.ofSeconds(20), p.patience());
    p.silent(0);
    assertEquals(Optional.empty(), p.startAfreshIn(0));
    assertEquals("the coordinator c was unreachable for 20 s (--coordinator-timeout)",
        p.gaveUp("c"));
  }

  @Test
  void anAdmittedWorkerWaitsTheCoordinatorsRejoinWindowPlusItsDowningTime() {
    RejoinPolicy p = new RejoinPolicy(Duration.ofSeconds(20));
    p.admitted(DEFAULTS);
    assertEquals(Duration.ofSeconds(75), p.patience());
    p.silent(100 * S);
    p.silent(110 * S); // the same silence, seen again: it still counts from the first
    assertEquals(Duration.ofSeconds(65), p.left(110 * S));
    assertEquals(Optional.of(Duration.ofSeconds(8)), p.startAfreshIn(110 * S),
        "15 s of downing and a 3 s margin after the silence began");
    assertEquals(Duration.ofSeconds(57), p.joinTimeout(Duration.ofSeconds(20), 118 * S),
        "a fresh system keeps joining while patience lasts");
    assertEquals(Duration.ZERO, p.left(200 * S));
    assertEquals(RejoinPolicy.MIN_JOIN, p.joinTimeout(Duration.ofSeconds(20), 200 * S));
    assertEquals("the coordinator c was unreachable for 75 s (its --rejoin-timeout 60 s plus "
        + "the 15 s after which it removes a cut-off worker; longer than --coordinator-timeout "
        + "20 s)", p.gaveUp("c"));
    assertTrue(p.isSilent());
    p.heard();
    assertFalse(p.isSilent());
    assertEquals(Duration.ofSeconds(75), p.left(300 * S), "a new silence gets all of it");
    assertEquals(Duration.ofSeconds(75), p.joinTimeout(Duration.ofSeconds(20), 300 * S),
        "downed while the coordinator answers: the network may fail again while it restarts");
  }

  @Test
  void aWorkerStartingAfreshDoesNotClaimTheCoordinatorRemovedIt() {
    // A coordinator killed (kill -9) and resumed in its place never removed anyone: the silence
    // alone cannot tell that from a partition, so the line says both (it said "removed").
    RejoinPolicy p = new RejoinPolicy(Duration.ofSeconds(20));
    p.admitted(DEFAULTS);
    assertEquals("the coordinator c has been unreachable for 18 s, longer than the 15 s after "
        + "which it removes a worker it cannot reach: it stopped, or it removed this worker "
        + "from its cluster", p.startsAfresh("c"));
  }

  @Test
  void aLongerOwnTimeoutWinsAndAWindowTooShortToJoinInNeverStartsAfresh() {
    RejoinPolicy longer = new RejoinPolicy(Duration.ofSeconds(120));
    longer.admitted(DEFAULTS);
    assertEquals(Duration.ofSeconds(120), longer.patience());
    assertEquals("the coordinator c was unreachable for 120 s (--coordinator-timeout)",
        longer.gaveUp("c"));
    RejoinPolicy tight = new RejoinPolicy(Duration.ofSeconds(20));
    tight.admitted(new RejoinWindow(Duration.ofSeconds(1), Duration.ofSeconds(15)));
    assertEquals(Duration.ofSeconds(20), tight.patience());
    assertEquals(Optional.empty(), tight.startAfreshIn(0),
        "removed after 18 s, 2 s left: too little for a join");
  }
}
