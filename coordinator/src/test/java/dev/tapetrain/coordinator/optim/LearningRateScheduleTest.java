package dev.tapetrain.coordinator.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.NamedTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each schedule's rate at chosen updates against its closed form (Keras' formulas worked by
 * hand), to 1e-15 relative; the round trip through the run's numbers; the per-update rate hook
 * of the built-in optimizers.
 */
class LearningRateScheduleTest {

  private static final double TOL = 1e-15;

  private static void near(double expected, double actual, String what) {
    assertEquals(expected, actual, TOL * Math.abs(expected), what);
  }

  private static LearningRateSchedule step(long warmup) {
    return new LearningRateSchedule("step", List.of(10L, 20L), List.of(0.1, 0.05, 0.01), 0, 0,
        0, warmup);
  }

  @Test
  void constantIsTheLearningRateForEveryUpdate() {
    for (long k : new long[] {0, 1, 1_000_000}) {
      assertEquals(0.01, LearningRateSchedule.CONSTANT.rate(0.01, k));
    }
    assertTrue(LearningRateSchedule.CONSTANT.constant());
  }

  @Test
  void stepIsPiecewiseConstantDecayWithBoundariesInclusiveBelow() {
    LearningRateSchedule s = step(0);
    // PiecewiseConstantDecay: values[0] while k <= 10, values[1] while k <= 20, then values[2].
    long[] k = {0, 10, 11, 20, 21, 5000};
    double[] want = {0.1, 0.1, 0.05, 0.05, 0.01, 0.01};
    for (int i = 0; i < k.length; i++) {
      assertEquals(want[i], s.rate(0.7, k[i]), "update " + k[i]);
    }
  }

  @Test
  void exponentialIsExponentialDecayNotStaircase() {
    LearningRateSchedule s = new LearningRateSchedule("exponential", List.of(), List.of(), 0.5,
        10, 0, 0);
    near(0.1, s.rate(0.1, 0), "k = 0");
    near(0.05, s.rate(0.1, 10), "k = 10");
    near(0.025, s.rate(0.1, 20), "k = 20");
    near(0.1 / Math.sqrt(2), s.rate(0.1, 5), "k = 5: half a decay, not a staircase");
    near(0.1 * Math.pow(0.5, 0.3), s.rate(0.1, 3), "k = 3");
  }

  @Test
  void cosineIsCosineDecayEndingAtTheMinimumRate() {
    LearningRateSchedule s = new LearningRateSchedule("cosine", List.of(), List.of(), 0, 100,
        0.01, 0);
    near(0.1, s.rate(0.1, 0), "k = 0");
    // Half way: 0.1·(0.9·½ + 0.1) = 0.055.
    near(0.055, s.rate(0.1, 50), "k = 50");
    // A quarter: ½(1 + cos(π/4)) = (2 + √2)/4.
    near(0.1 * (0.9 * (2 + Math.sqrt(2)) / 4 + 0.1), s.rate(0.1, 25), "k = 25");
    near(0.01, s.rate(0.1, 100), "k = 100");
    near(0.01, s.rate(0.1, 250), "past decay steps it stays at --lr-min");
    near(0.05, new LearningRateSchedule("cosine", List.of(), List.of(), 0, 100, 0, 0)
        .rate(0.1, 50), "alpha 0, half way");
  }

  @Test
  void warmupRisesLinearlyFromZeroThenTheScheduleStartsAtItsFirstRate() {
    LearningRateSchedule cosine = new LearningRateSchedule("cosine", List.of(), List.of(), 0,
        100, 0.01, 10);
    assertEquals(0.0, cosine.rate(0.1, 0));
    near(0.05, cosine.rate(0.1, 5), "k = 5");
    near(0.09, cosine.rate(0.1, 9), "k = 9");
    near(0.1, cosine.rate(0.1, 10), "k = 10: the schedule's update 0");
    near(0.055, cosine.rate(0.1, 60), "k = 60: the schedule's update 50");
    LearningRateSchedule step = step(4);
    near(0.05, step.rate(0.7, 2), "warm-up climbs to the first --lr-values");
    near(0.1, step.rate(0.7, 14), "k = 14: the schedule's update 10");
    near(0.05, step.rate(0.7, 15), "k = 15: the schedule's update 11");
    LearningRateSchedule constant = new LearningRateSchedule("constant", List.of(), List.of(),
        0, 0, 0, 4);
    near(0.0075, constant.rate(0.01, 3), "constant with warm-up");
    near(0.01, constant.rate(0.01, 4), "then constant");
    assertTrue(!constant.constant());
  }

  @Test
  void aScheduleReadsBackFromTheRunsNumbers() {
    for (LearningRateSchedule s : List.of(step(3), new LearningRateSchedule("cosine",
        List.of(), List.of(), 0, 100, 0.01, 10), new LearningRateSchedule("exponential",
        List.of(), List.of(), 0.96, 1000, 0, 0))) {
      assertEquals(s, LearningRateSchedule.fromProto(s.toProto()));
    }
  }

  @Test
  void refusesWhatKerasWouldNotComputeNamingTheOption() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(
        "step", List.of(10L, 20L), List.of(0.1, 0.05), 0, 0, 0, 0)).getMessage()
        .startsWith("--lr-values must have one more value than --lr-boundaries"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(
        "step", List.of(20L, 10L), List.of(0.1, 0.05, 0.01), 0, 0, 0, 0)).getMessage()
        .startsWith("--lr-boundaries must be strictly increasing"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(
        "cosine", List.of(), List.of(), 0, 0, 0, 0)).getMessage()
        .startsWith("--lr-decay-steps must be at least 1"));
    LearningRateSchedule cosine = new LearningRateSchedule("cosine", List.of(), List.of(), 0,
        10, 0.5, 0);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> cosine.check(0.1))
        .getMessage().startsWith("--lr-min must be below --learning-rate"));
  }

  @Test
  void builtInOptimizersTakeARatePerUpdateAndUseIt() {
    List<NamedTensor> p = List.of(NamedTensor.scalar("w", 1.0));
    List<NamedTensor> g = List.of(NamedTensor.scalar("w", 0.5));
    assertEquals(1.0 - 0.5 * 0.2, new Sgd(0.01).apply(p, g, 0.2).get(0).scalarValue());
    assertEquals(1.0 - 0.2 * 0.5, new Momentum(0.01, 0.9, false).apply(p, g, 0.2).get(0)
        .scalarValue());
    // Adam's first update, Keras' form: m = 0.1·g, v = 0.001·g², α = lr·√0.001 / 0.1.
    double adamStep = 0.05 * (0.2 * Math.sqrt(0.001) / 0.1) / (Math.sqrt(0.00025) + 1e-7);
    assertEquals(1.0 - adamStep, new Adam(0.01, 0.9, 0.999, 1e-7).apply(p, g, 0.2).get(0)
        .scalarValue(), 1e-12);
    for (Optimizer o : List.of(new Sgd(1), new Momentum(1, 0.9, true),
        new Adam(1, 0.9, 0.999, 1e-7))) {
      assertTrue(Optimizers.followsSchedules(o), o.name());
    }
    Optimizer fixed = new Optimizer() {
      @Override
      public String name() {
        return "fixed";
      }

      @Override
      public double learningRate() {
        return 0.1;
      }

      @Override
      public List<NamedTensor> apply(List<NamedTensor> params, List<NamedTensor> grads) {
        return params;
      }
    };
    assertTrue(!Optimizers.followsSchedules(fixed));
    assertThrows(UnsupportedOperationException.class, () -> fixed.apply(p, g, 0.2));
  }
}
