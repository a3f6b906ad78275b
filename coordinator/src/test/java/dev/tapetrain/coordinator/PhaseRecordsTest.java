package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plain records the coordinator's waiting and stopping phases hold, without Akka. */
class PhaseRecordsTest {

  @Test
  void gatheringNamesEachNewcomerOnceAndForgetsAWorkerThatWentAway() {
    Gathering<String> g = Gathering.none();
    assertEquals(List.of("a", "b"), g.newcomers(List.of("a", "b")));
    g = g.listed(List.of("a", "b"));
    assertEquals(List.of("c"), g.newcomers(List.of("a", "b", "c")));
    g = g.listed(List.of("b")); // a went away
    assertEquals(Set.of("b"), g.seen());
    assertEquals(List.of("a"), g.newcomers(List.of("a", "b")), "a back is new again");
  }

  @Test
  void farewellWaitsForEveryWorkerToldIncludingLateOnes() {
    Farewell<String> f = Farewell.of(Set.of("a", "b"), "completed");
    assertFalse(f.done());
    f = f.stopped("a");
    assertEquals(List.of("c"), f.newcomers(List.of("a", "b", "c")), "a was told already");
    f = f.alsoTold(List.of("c"));
    assertEquals(Set.of("a", "b", "c"), f.told());
    f = f.stopped("b");
    assertFalse(f.done(), "c, told late, is waited for too");
    f = f.stopped("c");
    assertTrue(f.done());
    assertEquals("completed", f.ending());
  }
}
