package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.node.CoordinatorDowning.Decision;
import org.junit.jupiter.api.Test;

/**
 * The downing rule (issue 25, item 5): gossip alone never downs a worker this coordinator still
 * reaches itself; gossip is enough only for a node this coordinator does not monitor.
 */
class CoordinatorDowningTest {

  @Test
  void aWorkerReachableAgainIsLeftAlone() {
    assertEquals(Decision.NOTHING, CoordinatorDowning.decide(false, true, false));
    assertEquals(Decision.NOTHING, CoordinatorDowning.decide(false, true, true));
  }

  @Test
  void aWorkerOnlyGossipCallsUnreachableIsNotDowned() {
    assertEquals(Decision.WAIT, CoordinatorDowning.decide(true, true, true));
  }

  @Test
  void aWorkerThisCoordinatorCannotReachEitherIsDowned() {
    assertEquals(Decision.DOWN, CoordinatorDowning.decide(true, true, false));
  }

  @Test
  void aWorkerThisCoordinatorDoesNotMonitorIsDownedOnGossip() {
    assertEquals(Decision.DOWN, CoordinatorDowning.decide(true, false, true));
  }
}
