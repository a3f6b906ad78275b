package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.RoundPlan.RoundResult;
import dev.tapetrain.coordinator.RunSummary.Status;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Today's round plan without an actor: which chunks each round reads (the same bits as the
 * BatchSelector it replaced), what each round's loss stands for, and when training stops.
 */
class StepsPlanTest {

  /** A plan of many steps over {@code chunks} chunks, {@code fraction} per round. */
  private static StepsPlan chunks(double fraction, long seed, int chunks) {
    return new StepsPlan(1_000_000, 0, fraction, seed, chunks, 0);
  }

  private static RoundResult after(long updates, double lastChange) {
    return new RoundResult(updates, 1.0, List.of(), lastChange);
  }

  @Test
  void batchesAreReproducibleDifferPerRoundAndHoldAboutTheFraction() {
    StepsPlan a = chunks(0.25, 42, 1000);
    StepsPlan b = chunks(0.25, 42, 1000);
    long total = 0;
    for (long k = 0; k < 200; k++) {
      List<Integer> batch = a.round(k).chunks();
      assertEquals(batch, b.round(k).chunks());
      total += batch.size();
      for (int i = 1; i < batch.size(); i++) {
        assertTrue(batch.get(i - 1) < batch.get(i), "ascending");
      }
    }
    assertNotEquals(a.round(0).chunks(), a.round(1).chunks());
    assertNotEquals(a.round(0).chunks(), chunks(0.25, 43, 1000).round(0).chunks());
    // 200 rounds × 1000 chunks × 0.25: mean 50 000, standard deviation ≈ 194; allow 5σ.
    assertEquals(50_000, total, 1_000);
  }

  @Test
  void eachRoundSaysTheRoundsAfterItAndAResumedPlanCountsFromItsCheckpoint() {
    // 30 steps: rounds 0 … 30 (round k at the parameters after k updates), so 30 follow round 0.
    StepsPlan plan = new StepsPlan(30, 0, 1, 42, 16, 0);
    assertEquals(30, plan.roundsAhead(plan.first()));
    assertEquals(29, plan.roundsAhead(plan.next(plan.first())));
    assertEquals(0, plan.roundsAhead(plan.round(30)));
    StepsPlan resumed = new StepsPlan(30, 0, 1, 42, 16, 12);
    assertEquals(18, resumed.roundsAhead(resumed.first()));
    // Rounds past the plan (never asked) say none, not a negative count.
    assertEquals(0, plan.roundsAhead(plan.round(31)));
  }

  @Test
  void aTinyFractionStillTrainsOnOneChunkAndFullBatchUsesAll() {
    assertEquals(1, chunks(1e-9, 1, 16).round(3).chunks().size());
    assertEquals(16, chunks(1, 1, 16).round(0).chunks().size());
    assertTrue(chunks(0.5, 1, 16).round(0).chunks().size() < 16, "a share is not all");
  }

  /**
   * The chunks of a --batch-fraction run are the ones BatchSelector chose before the round
   * plan replaced it (printed by that class on 2026-12-06): a resumed old run reads the same
   * chunks, so its bits do not move.
   */
  @Test
  void theChunkChoiceIsBatchSelectorsBitForBit() {
    assertEquals(List.of(2, 7, 14), chunks(0.25, 42, 16).round(0).chunks());
    assertEquals(List.of(0, 1, 4, 8, 13, 14), chunks(0.25, 42, 16).round(1).chunks());
    assertEquals(List.of(2, 3, 6, 7, 9, 10, 12, 18, 19, 23, 24, 29, 38),
        chunks(0.3, 7, 40).round(123456789L).chunks());
    assertEquals(List.of(1), chunks(1e-9, 1, 16).round(3).chunks());
    long h = 0;
    StepsPlan plan = chunks(0.1, -5, 1000);
    for (long k = 0; k < 500; k++) {
      for (int c : plan.round(k).chunks()) {
        h = h * 31 + c + k;
      }
    }
    assertEquals(-4357280899079681040L, h);
    // Over other fractions and seeds, BatchSelector's choices hashed the same way.
    h = 0;
    for (double fraction : new double[] {0.01, 0.3, 0.77, 0.999}) {
      for (long seed : new long[] {0, 42, Long.MIN_VALUE}) {
        StepsPlan p = chunks(fraction, seed, 300);
        for (long k = 0; k < 50; k++) {
          for (int c : p.round(k).chunks()) {
            h = h * 31 + c + k;
          }
        }
      }
    }
    assertEquals(2655135161050894496L, h);
  }

  @Test
  void roundZeroMeasuresTheInitialLossAndEachLaterRoundTheStepBeforeIt() {
    StepsPlan plan = new StepsPlan(2, 0, 1, 0, 16, 0);
    Round first = plan.first();
    assertEquals(0, first.number());
    assertEquals(Round.Loss.INITIAL, first.loss());
    assertTrue(first.trains());
    Round second = plan.next(first);
    assertEquals(1, second.number());
    assertEquals(Round.Loss.AFTER_LAST_STEP, second.loss());
    assertEquals(Round.Split.TRAINING, second.split());
  }

  @Test
  void aResumedRunStartsAtItsCheckpointsRoundAndReportsItsLossAsResumed() {
    StepsPlan plan = new StepsPlan(10, 0, 1, 0, 16, 4);
    assertEquals(4, plan.first().number());
    assertEquals(Round.Loss.RESUMED, plan.first().loss());
    assertEquals(Round.Loss.AFTER_LAST_STEP, plan.next(plan.first()).loss());
  }

  @Test
  void trainingCompletesOnceTheStepsAreDone() {
    StepsPlan plan = new StepsPlan(2, 0, 1, 0, 16, 0);
    assertEquals(Optional.empty(), plan.stopAfter(plan.round(0), after(0, Double.NaN)));
    assertEquals(Optional.empty(), plan.stopAfter(plan.round(1), after(1, 0.5)));
    assertEquals(Optional.of(Stop.completed()), plan.stopAfter(plan.round(2), after(2, 0.5)));
  }

  @Test
  void anUpdateThatBarelyMovesTheParametersEndsTheRunAsConverged() {
    StepsPlan plan = new StepsPlan(100, 1e-3, 1, 0, 16, 0);
    assertEquals(Optional.empty(), plan.stopAfter(plan.round(0), after(0, Double.NaN)),
        "no update yet: nothing to compare");
    assertEquals(Optional.empty(), plan.stopAfter(plan.round(1), after(1, 2e-3)));
    Stop stop = plan.stopAfter(plan.round(2), after(2, 1e-6)).orElseThrow();
    assertEquals(Status.CONVERGED, stop.status());
    assertEquals("parameters changed by less than --tolerance 0.001 (relative) in step 1",
        stop.detail());
    assertEquals(Optional.of(Stop.completed()),
        new StepsPlan(1, 1e-3, 1, 0, 16, 0).stopAfter(plan.round(1), after(1, 1e-6)),
        "the last step completes the run even when it barely moved");
  }

  @Test
  void withoutAToleranceTheRunNeverConverges() {
    StepsPlan plan = new StepsPlan(100, 0, 1, 0, 16, 0);
    assertEquals(Optional.empty(), plan.stopAfter(plan.round(5), after(5, 0.0)));
  }
}
