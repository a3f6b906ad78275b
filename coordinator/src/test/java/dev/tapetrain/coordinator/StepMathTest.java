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
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The round loop's arithmetic without an actor: penalty, digest, decisions, update (through
 * {@link RoundLoop}, with today's {@link StepsPlan} saying when training stops).
 */
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

  /** The loop of {@code math} under {@code spec}'s plan, for a new run. */
  private static RoundLoop loop(StepMath math, RunSpec spec) {
    return new RoundLoop(math, RoundPlans.of(spec, null));
  }

  /** Round {@code k} of a full-batch plan. */
  private static Round round(long k) {
    return new StepsPlan(1_000, 0, 1, 0, DATA.numChunks(), 0).round(k);
  }

  @Test
  void sgdUpdatesChainsTheDigestAndCompletesAfterTheLastStep() {
    RunSpec spec = spec(2, StepPolicy.fullBatch(), 1);
    StepMath math = new StepMath(spec, null, START);
    RoundLoop loop = loop(math, spec);
    assertEquals(Optional.empty(), loop.decide(round(0), totals(4, 1, 2)));
    assertEquals(List.of(NamedTensor.scalar("w", 5 - 0.1), NamedTensor.scalar("b", 10 - 0.2)),
        math.params());
    long digest = math.chain(3);
    assertEquals(StepRecord.chain(0, 3, math.params(), math.lastGradients()), digest);
    assertEquals(Optional.empty(), loop.decide(round(1), totals(3, 1, 1)));
    assertTrue(math.checkpointDue());
    math.chain(2);
    Optional<Stop> end = loop.decide(round(2), totals(2, 1, 1));
    assertEquals(Status.COMPLETED, end.orElseThrow().status());
    assertEquals(2, math.lastGood().steps());
    assertEquals(2.0, math.lastGood().loss());
  }

  @Test
  void aNonFiniteLossBeforeAnyUpdateBlamesTheDataAfterOneTheLearningRate() {
    RunSpec spec = spec(5, StepPolicy.fullBatch(), 100);
    StepMath fresh = new StepMath(spec, null, START);
    Stop atStart = loop(fresh, spec).decide(round(0), totals(Double.NaN, 0, 0)).orElseThrow();
    assertEquals(Status.DIVERGED, atStart.status());
    assertTrue(atStart.detail().contains("before any update"), atStart.detail());
    assertFalse(atStart.detail().contains("learning-rate"), atStart.detail());
    assertTrue(atStart.detail().endsWith("(check their magnitude and --model linear's settings: "
        + "--init-w, --init-b)"), atStart.detail());
    StepMath later = new StepMath(spec, null, START);
    RoundLoop laterLoop = loop(later, spec);
    laterLoop.decide(round(0), totals(1, 1, 1));
    Stop after = laterLoop.decide(round(1), totals(Double.POSITIVE_INFINITY, 0, 0))
        .orElseThrow();
    assertTrue(after.detail().contains("try a smaller --learning-rate"), after.detail());
    assertEquals(0, later.lastGood().steps(), "the last finite state is kept");
  }

  @Test
  void aNonFiniteLossBeforeAnyUpdateNamesTheModelsOwnSettingsNotTheLinearOnes() {
    RunSpec linear = spec(5, StepPolicy.fullBatch(), 100);
    for (ModelSpec model : List.of(new ModelSpec("logistic", 0, 42, java.util.Map.of()),
        new ModelSpec("mlp", 0, 42, java.util.Map.of()),
        new ModelSpec("not-on-this-class-path", 0, 42, java.util.Map.of()))) {
      RunSpec spec = new RunSpec(1, 5, 0.1, OptimizerSpec.sgd(), DATA, StepPolicy.fullBatch(), 1,
          Duration.ofSeconds(1), Duration.ofSeconds(1), 100, linear.rejoinTimeout(), model);
      Stop stop = loop(new StepMath(spec, null, START), spec)
          .decide(round(0), totals(Double.NaN, 0, 0)).orElseThrow();
      assertFalse(stop.detail().contains("--init-w"), stop.detail());
      assertTrue(stop.detail().endsWith(switch (model.name()) {
        case "logistic" -> "(check their magnitude; --model logistic takes no settings)";
        case "mlp" -> "(check their magnitude and --model mlp's settings: --hidden)";
        default -> "(check their magnitude and --model not-on-this-class-path's settings), or "
            + "--model not-on-this-class-path's own code computed it (check its lossSum)";
      }), stop.detail());
    }
  }

  /**
   * A user's own model may compute the NaN itself, which neither the data nor the learning rate
   * explains: the hint says so for it, at the start and after an update; not for a built-in one.
   */
  @Test
  void aNonFiniteLossOfAUsersModelAlsoPointsAtItsCode() {
    RunSpec linear = spec(5, StepPolicy.fullBatch(), 100);
    String own = ", or --model huber's own code computed it (check its lossSum)";
    RunSpec spec = new RunSpec(1, 5, 0.1, OptimizerSpec.sgd(), DATA, StepPolicy.fullBatch(), 1,
        Duration.ofSeconds(1), Duration.ofSeconds(1), 100, linear.rejoinTimeout(),
        new ModelSpec("huber", 0, 42, java.util.Map.of()));
    Stop atStart = loop(new StepMath(spec, null, START), spec)
        .decide(round(0), totals(Double.NaN, 0, 0)).orElseThrow();
    assertTrue(atStart.detail().endsWith(own), atStart.detail());
    RoundLoop later = loop(new StepMath(spec, null, START), spec);
    later.decide(round(0), totals(1, 1, 1));
    Stop after = later.decide(round(1), totals(Double.NaN, 0, 0)).orElseThrow();
    assertTrue(after.detail().endsWith("try a smaller --learning-rate (now 0.1)" + own),
        after.detail());
    Stop builtIn = loop(new StepMath(linear, null, START), linear)
        .decide(round(0), totals(Double.NaN, 0, 0)).orElseThrow();
    assertFalse(builtIn.detail().contains("own code"), builtIn.detail());
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
    RunSpec spec = spec(100, new StepPolicy(1, 42, 0, 1e-3), 100);
    StepMath math = new StepMath(spec, null, START);
    RoundLoop loop = loop(math, spec);
    assertEquals(Optional.empty(), loop.decide(round(0), totals(1, 1e-6, 1e-6)));
    Optional<Stop> next = loop.decide(round(1), totals(1, 1e-6, 1e-6));
    assertEquals(Status.CONVERGED, next.orElseThrow().status());
  }

  @Test
  void anUpdateThatIsNotFiniteDivergesAndKeepsTheStateBeforeIt() {
    RunSpec spec = spec(5, StepPolicy.fullBatch(), 100);
    List<NamedTensor> huge = List.of(NamedTensor.scalar("w", Double.MAX_VALUE),
        NamedTensor.scalar("b", 0));
    StepMath math = new StepMath(spec, null, huge);
    // Finite loss and gradients, but w − 0.1 · (−MAX) overflows.
    Stop stop = loop(math, spec).decide(round(0), totals(1, -Double.MAX_VALUE, 0))
        .orElseThrow();
    assertEquals(Status.DIVERGED, stop.status());
    assertTrue(stop.detail().startsWith("parameters are not finite after step 0"), stop.detail());
    assertEquals(0, math.lastGood().steps());
    assertEquals(0, math.updates(), "the update that overflowed was not applied");
  }

  @Test
  void aResumedRunCountsItsCheckpointsUpdatesAndIsDueOnlyAfterNewOnes() {
    RunSpec spec = spec(10, StepPolicy.fullBatch(), 2);
    TrainingState checkpoint = new TrainingState(4, START, List.of(), 7, 68, 2);
    StepMath math = new StepMath(spec, checkpoint, List.of());
    RoundLoop loop = new RoundLoop(math, RoundPlans.of(spec, checkpoint));
    assertEquals(4, math.updates());
    Round first = loop.first();
    assertEquals(Optional.empty(), loop.decide(first, totals(2, 1, 1)));
    assertFalse(math.checkpointDue(), "the checkpoint's own state is not written again");
    assertEquals(5, math.updates());
    Stop nan = loop.decide(loop.next(first), totals(Double.NaN, 0, 0)).orElseThrow();
    assertTrue(nan.detail().contains("after step 4"), nan.detail());
  }
}
