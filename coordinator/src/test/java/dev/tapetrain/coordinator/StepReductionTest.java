package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.coordinator.optim.Sgd;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.NamedTensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StepReductionTest {

  private static final List<NamedTensor> PARAMS =
      List.of(NamedTensor.scalar("w", 0), NamedTensor.scalar("b", 0));

  /** The tree's order written out by hand for 10 chunks (width 16): ((0..7) + (8 + 9)). */
  private static double treeSum(double[] v) {
    double q0 = (v[0] + v[1]) + (v[2] + v[3]);
    double q1 = (v[4] + v[5]) + (v[6] + v[7]);
    return (q0 + q1) + (v[8] + v[9]);
  }

  @Test
  void meansAreSumsInTheTreesOrderOverN() {
    Random rnd = new Random(1);
    java.util.Map<Long, ChunkResult> results = new java.util.HashMap<>();
    double[] l = new double[10];
    double[] w = new double[10];
    double[] b = new double[10];
    for (int c = 0; c < 10; c++) {
      l[c] = rnd.nextDouble();
      w[c] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(8)); // magnitudes where order shows
      b[c] = rnd.nextGaussian();
      results.put(dev.tapetrain.protocol.ChunkTree.key(c, 1), new ChunkResult(c, 10, l[c],
          List.of(NamedTensor.scalar("w", w[c]), NamedTensor.scalar("b", b[c]))));
    }
    StepReduction.Totals t = StepReduction.reduce(results, 10, PARAMS, 100);
    // Same additions in the same order: bit-identical, not merely close.
    assertEquals(treeSum(l) / 100, t.loss(), 0.0);
    assertEquals(treeSum(w) / 100, NamedTensor.find(t.gradients(), "w").scalarValue(), 0.0);
    assertEquals(treeSum(b) / 100, NamedTensor.find(t.gradients(), "b").scalarValue(), 0.0);
  }

  @Test
  void resultsThatDoNotCoverEverySampleAreRefused() {
    java.util.Map<Long, ChunkResult> results = java.util.Map.of(
        dev.tapetrain.protocol.ChunkTree.key(0, 1), new ChunkResult(0, 5, 1,
            List.of(NamedTensor.scalar("w", 0), NamedTensor.scalar("b", 0))));
    assertThrows(IllegalStateException.class,
        () -> StepReduction.reduce(results, 1, PARAMS, 6));
  }

  @Test
  void gradientsMustMatchTheParameters() {
    assertNull(StepReduction.mismatch(new ChunkResult(0, 1, 0, List.of(
        NamedTensor.scalar("w", 0), NamedTensor.scalar("b", 0))), PARAMS));
    assertNotNull(StepReduction.mismatch(new ChunkResult(0, 1, 0, List.of(
        NamedTensor.scalar("b", 0), NamedTensor.scalar("w", 0))), PARAMS));
    assertNotNull(StepReduction.mismatch(new ChunkResult(0, 1, 0, List.of(
        NamedTensor.vector("w", 0, 1), NamedTensor.scalar("b", 0))), PARAMS));
  }

  @Test
  void sgdSubtractsGradientTimesLearningRate() {
    List<NamedTensor> next = new Sgd(0.01).apply(
        List.of(NamedTensor.scalar("w", 5), NamedTensor.vector("v", 1, 2)),
        List.of(NamedTensor.scalar("w", 3.7), NamedTensor.vector("v", -1, 0.5)));
    assertEquals(5 - 3.7 * 0.01, next.get(0).scalarValue(), 0.0);
    assertEquals(1 + 0.01, next.get(1).values()[0], 0.0);
    assertEquals(2 - 0.5 * 0.01, next.get(1).values()[1], 0.0);
  }
}
