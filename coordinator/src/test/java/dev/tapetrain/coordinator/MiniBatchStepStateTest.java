package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tapetrain.coordinator.spec.EarlyStop;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * In mini-batch epochs a step's line is written after its update, so the last good state (what
 * a run that stops reports as its steps and keeps as its checkpoint) is the one that update
 * reached: "interrupted after N step(s)" agrees with the N lines of steps.jsonl (it was one
 * behind). The rounds run as the coordinator runs them, without an actor.
 */
class MiniBatchStepStateTest {

  // 1000 samples in batches of 100: 10 updates an epoch.
  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);
  private static final List<NamedTensor> START =
      List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10));

  private static RunSpec spec(double validationSplit, long steps, long checkpointEvery) {
    StepPolicy policy = new StepPolicy(1, 7, 0, 0, 100, true, false, validationSplit,
        EarlyStop.NONE);
    return new RunSpec(1, steps, 0.1, OptimizerSpec.sgd(), DATA, policy, 1,
        Duration.ofSeconds(1), Duration.ofSeconds(1), checkpointEvery,
        RunSpec.DEFAULT_REJOIN_TIMEOUT, ModelSpec.linear(42));
  }

  private static StepReduction.Totals totals(Round round) {
    return new StepReduction.Totals(0.5 + round.number(),
        List.of(NamedTensor.scalar("w", 1), NamedTensor.scalar("b", 1)), List.of());
  }

  /** What one round told, and whether a checkpoint was due after it. */
  private record Done(Round round, List<TrainingEvent> events, boolean checkpointDue) {}

  /** Completes {@code round} as {@code Coordinator.completeRound} does. */
  private static Done complete(RoundLoop loop, StepMath math, Round round) {
    StepReduction.Totals t = totals(round);
    List<TrainingEvent> told = new ArrayList<>();
    if (loop.reportsAfterUpdate(round)) {
      assertEquals(Optional.empty(), loop.decide(round, t));
      told.add(loop.report(round, t, 1, List.of(), new RecoveryLog()));
    } else {
      told.add(loop.report(round, t, 1, List.of(), new RecoveryLog()));
      Optional<Stop> stop = loop.decide(round, t);
      assertEquals(round.loss() == Round.Loss.FINAL, stop.isPresent(), "ends with FINAL");
    }
    loop.afterStep(round, t).ifPresent(told::add);
    return new Done(round, told, math.checkpointDue());
  }

  @Test
  void afterEachLoggedBatchTheLastGoodStateIsTheOneItsUpdateReached() {
    RunSpec spec = spec(0, 30, 1000);
    StepMath math = new StepMath(spec, null, START);
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(spec, null));
    Round round = loop.first();
    complete(loop, math, round);
    for (int k = 0; k < 25; k++) {
      round = loop.next(round);
      assertEquals(Round.Loss.BATCH, round.loss());
      StepRecord line = assertInstanceOf(TrainingEvent.Step.class,
          complete(loop, math, round).events().get(0)).record();
      assertEquals(k, line.step());
      TrainingState good = math.lastGood();
      assertEquals(k + 1, good.steps(), "lines 0.." + k + " are " + (k + 1) + " steps");
      assertEquals(line.params(), good.params(), "the parameters on step " + k + "'s line");
      assertEquals(line.loss(), good.loss(), "the loss on step " + k + "'s line");
      assertEquals(line.digest(), good.stepDigest(), "a resume chains on from this line");
    }
  }

  @Test
  void aCheckpointIsDueOncePerStepCount() {
    RunSpec spec = spec(0, 40, 4);
    StepMath math = new StepMath(spec, null, START);
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(spec, null));
    Round round = loop.first();
    List<Long> written = new ArrayList<>();
    while (true) {
      Done done = complete(loop, math, round);
      if (done.checkpointDue()) {
        written.add(math.lastGood().steps());
      }
      if (round.loss() == Round.Loss.FINAL) {
        break;
      }
      round = loop.next(round);
    }
    // Step 39's line reaches 40 updates, and the final round commits 40 updates again.
    assertEquals(List.of(4L, 8L, 12L, 16L, 20L, 24L, 28L, 32L, 36L, 40L), written);
  }

  @Test
  void withValidationTheEpochsLastStepLeavesTheStateBeforeItUntilItsValidationRound() {
    // 800 training samples: 8 updates an epoch, then the validation round.
    RunSpec spec = spec(0.2, 16, 1000);
    StepMath math = new StepMath(spec, null, START);
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(spec, null));
    Round round = loop.first();
    complete(loop, math, round);
    for (int k = 0; k < 8; k++) {
      round = loop.next(round);
      complete(loop, math, round);
    }
    // A resume from 8 updates goes on with epoch 2 (EpochPlan#next), so a state kept here would
    // lose epoch 1's validation: the state stays that of 7 updates.
    assertEquals(8, math.updates());
    assertEquals(7, math.lastGood().steps());
    round = loop.next(round);
    assertEquals(Round.Loss.VALIDATION, round.loss());
    complete(loop, math, round);
    assertEquals(8, math.lastGood().steps(), "after the epoch's validation");
  }
}
