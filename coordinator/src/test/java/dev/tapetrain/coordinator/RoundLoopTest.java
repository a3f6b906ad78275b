package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The round loop without an actor: what each round's loss is reported as (the initial loss, a
 * resumed run's loss, the step before it), and that a round that does not train does not update.
 */
class RoundLoopTest {

  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);
  private static final RunSpec SPEC = new RunSpec(1, 3, 0.1,
      OptimizerSpec.sgd(), DATA, StepPolicy.fullBatch(), 1, Duration.ofSeconds(1),
      Duration.ofSeconds(1), 100, RunSpec.DEFAULT_REJOIN_TIMEOUT, ModelSpec.linear(42));
  private static final List<NamedTensor> START =
      List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10));

  private static StepReduction.Totals totals(double loss) {
    return new StepReduction.Totals(loss,
        List.of(NamedTensor.scalar("w", 1), NamedTensor.scalar("b", 1)), List.of(0.5));
  }

  @Test
  void roundZeroReportsTheInitialLossAndEachLaterRoundTheStepBeforeIt() {
    StepMath math = new StepMath(SPEC, null, START);
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(SPEC, null));
    RecoveryLog recovery = new RecoveryLog();
    Round first = loop.first();
    assertEquals(new TrainingEvent.InitialLoss(4.0),
        loop.report(first, totals(4.0), 10, List.of(), recovery));
    assertEquals(4.0, math.initialLoss());
    assertEquals(Optional.empty(), loop.decide(first, totals(4.0)));
    recovery.lost(0, "w1", "terminated", 2, 0);
    recovery.ignored(3);
    Round second = loop.next(first);
    StepRecord step = assertInstanceOf(TrainingEvent.Step.class, loop.report(second, totals(3.0),
        20, List.of(new StepRecord.WorkerShare("w2", 16, 1000, 5)), recovery)).record();
    assertEquals(0, step.step(), "round 1 measures the loss after update 0");
    assertEquals(3.0, step.loss());
    assertEquals(math.params(), step.params(), "the parameters update 0 reached");
    assertEquals(20, step.stepNanos());
    assertEquals(3, step.ignored());
    assertEquals("w1", step.events().get(0).worker());
    assertEquals(List.of(0.5), step.metrics());
    assertEquals(StepRecord.chain(0, 3.0, math.params(), math.lastGradients()), step.digest());
  }

  @Test
  void aResumedRunsFirstRoundReportsItsLossAsResumedAfterTheCheckpointsSteps() {
    TrainingState checkpoint = new TrainingState(2, START, List.of(), 9, 68, 3);
    StepMath math = new StepMath(SPEC, checkpoint, List.of());
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(SPEC, checkpoint));
    assertEquals(new TrainingEvent.Resumed(2, 2.5),
        loop.report(loop.first(), totals(2.5), 10, List.of(), new RecoveryLog()));
  }

  @Test
  void aRoundThatDoesNotTrainLeavesTheParametersAsTheyAre() {
    StepMath math = new StepMath(SPEC, null, START);
    RoundPlan evaluateOnly = new RoundPlan() {
      @Override
      public Round first() {
        return new Round(0, List.of(0), Round.Split.TRAINING, false, Round.Loss.INITIAL);
      }

      @Override
      public Optional<Stop> stopAfter(Round round, RoundResult result) {
        return Optional.empty();
      }

      @Override
      public Round next(Round done) {
        return done;
      }
    };
    RoundLoop loop = new RoundLoop(math, evaluateOnly);
    assertEquals(Optional.empty(), loop.decide(loop.first(), totals(1)));
    assertEquals(START, math.params());
    assertEquals(0, math.updates());
  }
}
