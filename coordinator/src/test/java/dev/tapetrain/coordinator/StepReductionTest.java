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

  @Test
  void meansAreChunkOrderSumsOverN() {
    Random rnd = new Random(1);
    ChunkResult[] results = new ChunkResult[10];
    double loss = 0;
    double gw = 0;
    double gb = 0;
    for (int c = 0; c < results.length; c++) {
      double l = rnd.nextDouble();
      double w = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      results[c] = new ChunkResult(c, 10, l,
          List.of(NamedTensor.scalar("w", w), NamedTensor.scalar("b", b)));
      loss += l;
      gw += w;
      gb += b;
    }
    StepReduction.Totals t = StepReduction.reduce(results, PARAMS, 100);
    // Same additions in the same order: bit-identical, not merely close.
    assertEquals(loss / 100, t.loss(), 0.0);
    assertEquals(gw / 100, NamedTensor.find(t.gradients(), "w").scalarValue(), 0.0);
    assertEquals(gb / 100, NamedTensor.find(t.gradients(), "b").scalarValue(), 0.0);
  }

  @Test
  void resultsThatDoNotCoverEverySampleAreRefused() {
    ChunkResult[] results = {new ChunkResult(0, 5, 1, List.of(NamedTensor.scalar("w", 0),
        NamedTensor.scalar("b", 0)))};
    assertThrows(IllegalStateException.class, () -> StepReduction.reduce(results, PARAMS, 6));
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
