package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step loop's arithmetic without an actor: penalty, digest, decisions, update. */
class StepMathTest {

  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);

  private static RunSpec spec(long steps, StepPolicy policy, long checkpointEvery) {
    return new RunSpec(1, steps, 0.1, OptimizerSpec.sgd(), DATA, policy, 1,
        Duration.ofSeconds(1), Duration.ofSeconds(1), checkpointEvery,
        RunSpec.DEFAULT_REJOIN_TIMEOUT, ModelSpec.linear(42));
  }

  private static final List<NamedTensor> START =
      List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10));

  private static StepReduction.Totals totals(double loss, double gw, double gb) {
    return new StepReduction.Totals(loss,
        List.of(NamedTensor.scalar("w", gw), NamedTensor.scalar("b", gb)));
  }

  @Test
  void sgdUpdatesChainsTheDigestAndCompletesAfterTheLastStep() {
    StepMath math = new StepMath(spec(2, StepPolicy.fullBatch(), 1), null, START);
    assertTrue(math.decide(0, totals(4, 1, 2)).goesOn());
    assertEquals(List.of(NamedTensor.scalar("w", 5 - 0.1), NamedTensor.scalar("b", 10 - 0.2)),
        math.params());
    long digest = math.chain(3);
    assertEquals(StepRecord.chain(0, 3, math.params(), math.lastGradients()), digest);
    StepMath.Decision step1 = math.decide(1, totals(3, 1, 1));
    assertTrue(step1.goesOn() && step1.checkpointDue());
    math.chain(2);
    StepMath.Decision end = math.decide(2, totals(2, 1, 1));
    assertEquals(Status.COMPLETED, end.stop());
    assertEquals(2, math.lastGood().steps());
    assertEquals(2.0, math.lastGood().loss());
  }

  @Test
  void aNonFiniteLossBeforeAnyUpdateBlamesTheDataAfterOneTheLearningRate() {
    StepMath fresh = new StepMath(spec(5, StepPolicy.fullBatch(), 100), null, START);
    StepMath.Decision atStart = fresh.decide(0, totals(Double.NaN, 0, 0));
    assertEquals(Status.DIVERGED, atStart.stop());
    assertTrue(atStart.message().contains("before any update"), atStart.message());
    assertFalse(atStart.message().contains("learning-rate"), atStart.message());
    StepMath later = new StepMath(spec(5, StepPolicy.fullBatch(), 100), null, START);
    later.decide(0, totals(1, 1, 1));
    StepMath.Decision after = later.decide(1, totals(Double.POSITIVE_INFINITY, 0, 0));
    assertTrue(after.message().contains("try a smaller --learning-rate"), after.message());
    assertEquals(0, later.lastGood().steps(), "the last finite state is kept");
  }

  @Test
  void theL2PenaltyGoesOnTheModelsWeightsOnly() {
    StepMath math = new StepMath(spec(5, new StepPolicy(1, 42, 0.5, 0), 100), null, START);
    assertEquals(1.0, math.withPenalty(totals(1, 0, 0)).loss(), 0.0,
        "no weights until the model names them");
    math.adoptModel(START, List.of("w"), false);
    StepReduction.Totals t = math.withPenalty(totals(1, 0, 0));
    assertEquals(1 + 0.5 * 25, t.loss(), 0.0);
    assertEquals(2 * 0.5 * 5, NamedTensor.find(t.gradients(), "w").scalarValue(), 0.0);
    assertEquals(0.0, NamedTensor.find(t.gradients(), "b").scalarValue(), 0.0);
    math.adoptModel(List.of(NamedTensor.scalar("w1", 2), NamedTensor.scalar("b1", 3)),
        List.of("w1"), false);
    StepReduction.Totals m = math.withPenalty(new StepReduction.Totals(0,
        List.of(NamedTensor.scalar("w1", 0), NamedTensor.scalar("b1", 0))));
    assertEquals(0.5 * 4, m.loss(), 0.0);
    assertEquals(List.of(NamedTensor.scalar("w1", 2), NamedTensor.scalar("b1", 3)),
        math.params(), "a new run starts from the workers' model");
  }

  @Test
  void aStepThatBarelyMovesTheParametersEndsTheRunAsConverged() {
    StepMath math = new StepMath(spec(100, new StepPolicy(1, 42, 0, 1e-3), 100), null, START);
    assertTrue(math.decide(0, totals(1, 1e-6, 1e-6)).goesOn());
    StepMath.Decision next = math.decide(1, totals(1, 1e-6, 1e-6));
    assertEquals(Status.CONVERGED, next.stop());
  }
}
