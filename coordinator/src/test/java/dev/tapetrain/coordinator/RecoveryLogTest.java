package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.coordinator.StepRecord.Reassignment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recovery bookkeeping without an actor: recovery times, joins, drops, a stall. */
class RecoveryLogTest {

  @Test
  void eachLossRecoversWhenItsRoundCompletesFromWhenItWasSeen() {
    RecoveryLog log = new RecoveryLog();
    log.lost(4, "w1", "terminated", 3, 1_000);
    log.lost(4, "w2", "missed the deadline", 5, 4_000);
    log.joined(4, "w3", 2, 0);
    log.roundCompleted(10_000);
    log.lost(5, "w3", "terminated", 2, 12_000); // in the next round: not recovered yet
    RecoveryLog.Since since = log.drain();
    assertEquals(List.of(new Reassignment(4, "w1", "terminated", 3, 9_000),
        new Reassignment(4, "w2", "missed the deadline", 5, 6_000),
        new Reassignment(4, "w3", "joined", 2, 0),
        new Reassignment(5, "w3", "terminated", 2, 0)), since.events());
    assertEquals(new RecoveryLog.Since(List.of(), 0), log.drain(), "drained");
  }

  @Test
  void aJoinerThatTookOverKeepsHowLongTheRunWaited() {
    RecoveryLog log = new RecoveryLog();
    log.lost(7, "w1", "terminated", 16, 100);
    log.stalled(7, Duration.ofSeconds(60), 200);
    long waited = log.unstalled(5_200);
    assertEquals(5_000, waited);
    assertEquals(0, log.unstalled(9_000), "no longer stalled");
    log.joined(7, "w2", 16, waited);
    log.roundCompleted(6_100);
    assertEquals(List.of(new Reassignment(7, "w1", "terminated", 16, 6_000),
        new Reassignment(7, "w2", "joined", 16, 5_000)), log.drain().events());
  }

  @Test
  void droppedAnswersAreCountedUntilTheNextStepRecord() {
    RecoveryLog log = new RecoveryLog();
    log.ignored(3);
    log.ignored(1);
    assertEquals(4, log.drain().ignored());
    assertEquals(0, log.drain().ignored());
  }

  @Test
  void aStallNamesTheLastWorkerLostAndFailsSayingHowLongItWaited() {
    RecoveryLog log = new RecoveryLog();
    log.lost(2, "w1", "terminated", 8, 0);
    log.lost(2, "w2", "left the cluster or became unreachable", 8, 0);
    assertEquals(new TrainingEvent.NoWorkerLeft(2, "w2 left the cluster or became unreachable",
        Duration.ofSeconds(30)), log.stalled(2, Duration.ofSeconds(30), 1));
    assertEquals(Stop.failed("no worker left at step 2 (w2 left the cluster or became "
        + "unreachable), and none came back within 30 s (--rejoin-timeout)"), log.noneCameBack());
  }
}
