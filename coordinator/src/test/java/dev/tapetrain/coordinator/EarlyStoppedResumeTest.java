package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.coordinator.spec.EarlyStop;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted after early stopping decided to end training and before its final round
 * completed, then resumed from the checkpoint it left, ends as the uninterrupted run: its next
 * round is the final one, at the best parameters (--restore-best), stopped early for the same
 * reason. The rounds run as the coordinator runs them, without an actor.
 */
class EarlyStoppedResumeTest {

  // 1000 samples, the last 200 held out: 8 updates of 100 per epoch.
  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);
  private static final StepPolicy POLICY = new StepPolicy(1, 7, 0, 0, 100, true, false, 0.2,
      new EarlyStop(1, 0, "val_loss", true));

  /** A run of {@code epochs} epochs. */
  private static RunSpec spec(long epochs) {
    return new RunSpec(1, 8 * epochs, 0.1, OptimizerSpec.sgd(), DATA, POLICY, 1,
        Duration.ofSeconds(1), Duration.ofSeconds(1), 1000, RunSpec.DEFAULT_REJOIN_TIMEOUT,
        ModelSpec.linear(42));
  }
  private static final List<NamedTensor> START =
      List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10));

  /** Totals with loss {@code loss}; the validation losses rise after the first epoch. */
  private static StepReduction.Totals totals(Round round) {
    double loss = round.loss() == Round.Loss.VALIDATION ? 1.0 + round.batch().epoch() : 0.5;
    return new StepReduction.Totals(loss,
        List.of(NamedTensor.scalar("w", 1), NamedTensor.scalar("b", 1)), List.of());
  }

  /**
   * Completes {@code round} as {@code Coordinator.completeRound} does (its events are not
   * looked at): why the run ends, or empty.
   */
  private static Optional<Stop> complete(RoundLoop loop, Round round) {
    StepReduction.Totals t = totals(round);
    RecoveryLog recovery = new RecoveryLog();
    Optional<Stop> stop;
    if (loop.reportsAfterUpdate(round)) {
      stop = loop.decide(round, t);
      loop.report(round, t, 1, List.of(), recovery);
    } else {
      loop.report(round, t, 1, List.of(), recovery);
      stop = loop.decide(round, t);
    }
    if (stop.isEmpty()) {
      loop.afterStep(round, t);
    }
    return stop;
  }

  /** 10 epochs: the stop comes mid-run; 2: at the last epoch, when no update is left anyway. */
  @ParameterizedTest
  @ValueSource(longs = {10, 2})
  void aRunInterruptedBeforeItsFinalRoundAfterEarlyStoppingEndsStoppedEarlyOnResume(
      long epochs, @TempDir Path tmp) {
    RunSpec spec = spec(epochs);
    StepMath math = new StepMath(spec, null, START);
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(spec, null));
    Round round = loop.first();
    assertEquals(Optional.empty(), complete(loop, round));
    round = loop.next(round);
    while (round.loss() != Round.Loss.FINAL) {
      assertEquals(Optional.empty(), complete(loop, round));
      round = loop.next(round);
    }
    // Early stopping decided after epoch 2 (its validation loss did not improve on epoch 1's).
    assertEquals(16, math.updates());
    // The interruption: the final round never completes; its run commits the last good state.
    Path file = tmp.resolve(Checkpoints.FILE);
    Checkpoints.write(file, math.lastGood(), spec.numbers(), "synthetic", 15);
    TrainingState saved = Checkpoints.read(file).state();
    assertTrue(saved.stoppedEarly().contains("val_loss did not improve"), saved.stoppedEarly());

    Stop whole = complete(loop, round).orElseThrow();
    assertEquals(RunSummary.Status.STOPPED_EARLY, whole.status());

    StepMath resumedMath = new StepMath(spec, saved, List.of());
    RoundLoop resumed = new RoundLoop(resumedMath, RoundPlans.of(spec, saved));
    Round first = resumed.first();
    assertEquals(Round.Loss.RESUMED, first.loss());
    assertEquals(Optional.empty(), complete(resumed, first));
    Round next = resumed.next(first);
    assertEquals(Round.Loss.FINAL, next.loss(), "no more training after the decision");
    assertEquals(math.params(), resumedMath.params(), "the best epoch's parameters");
    assertNotEquals(saved.params(), resumedMath.params(), "restored, not the last update's");
    assertEquals(Optional.of(whole), complete(resumed, next));
    assertEquals(16, resumedMath.updates());
  }

  /**
   * --restore-best without a stop: a run interrupted in its final round, after its last update,
   * resumes with nothing to train, and its one round is its final evaluation — at the best
   * epoch's parameters, as the uninterrupted run's final round.
   */
  @org.junit.jupiter.api.Test
  void aRunInterruptedInItsFinalRoundEndsAtTheBestParametersOnResume(@TempDir Path tmp) {
    StepPolicy keepBest = new StepPolicy(1, 7, 0, 0, 100, true, false, 0.2,
        new EarlyStop(0, 0, "val_loss", true));
    RunSpec spec = new RunSpec(1, 8 * 3, 0.1, OptimizerSpec.sgd(), DATA, keepBest, 1,
        Duration.ofSeconds(1), Duration.ofSeconds(1), 1000, RunSpec.DEFAULT_REJOIN_TIMEOUT,
        ModelSpec.linear(42));
    StepMath math = new StepMath(spec, null, START);
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(spec, null));
    Round round = loop.first();
    assertEquals(Optional.empty(), complete(loop, round));
    List<NamedTensor> last = null;
    while (round.loss() != Round.Loss.FINAL) {
      last = math.params();
      round = loop.next(round);
      if (round.loss() != Round.Loss.FINAL) {
        assertEquals(Optional.empty(), complete(loop, round));
      }
    }
    assertEquals(24, math.updates(), "every epoch trained: no stop");
    Path file = tmp.resolve(Checkpoints.FILE);
    Checkpoints.write(file, math.lastGood(), spec.numbers(), "synthetic", 23);
    TrainingState saved = Checkpoints.read(file).state();
    assertEquals(RunSummary.Status.COMPLETED, complete(loop, round).orElseThrow().status());
    List<NamedTensor> best = math.params();
    assertNotEquals(last, best, "the best epoch (the first) is not the last");

    StepMath resumedMath = new StepMath(spec, saved, List.of());
    RoundLoop resumed = new RoundLoop(resumedMath, RoundPlans.of(spec, saved));
    Round first = resumed.first();
    assertEquals(best, resumedMath.params(), "the resumed final evaluation is at the best");
    assertEquals(RunSummary.Status.COMPLETED,
        complete(resumed, first).orElseThrow().status());
    assertEquals(best, resumedMath.params());
  }
}
