package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.tape.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One tape run over many chunks gives each chunk the very bits of a run over it alone. */
class SegmentSumsTest {

  @Test
  void segmentSumsAreBitIdenticalToOneTapePerChunk() {
    Random rnd = new Random(21);
    int[] lengths = {64, 64, 13, 1, 64, 37};
    int n = Arrays.stream(lengths).sum();
    double[] x = rnd.doubles(n, -3, 3).toArray();
    double[] y = rnd.doubles(n, -10, 10).toArray();
    LinearModel model = new LinearModel(1);
    model.setParameters(List.of(NamedTensor.scalar("w", 4.7), NamedTensor.scalar("b", -1.3)));
    List<LinearModel.Sums> batched = model.segmentSums(Tensor.vector(x), Tensor.vector(y),
        lengths);
    int start = 0;
    for (int s = 0; s < lengths.length; s++) {
      LinearModel.Sums alone = model.sums(
          Tensor.vector(Arrays.copyOfRange(x, start, start + lengths[s])),
          Tensor.vector(Arrays.copyOfRange(y, start, start + lengths[s])));
      assertBits(alone.lossSum(), batched.get(s).lossSum(), "loss of chunk " + s);
      assertBits(alone.gradW().item(), batched.get(s).gradW().item(), "dW of chunk " + s);
      assertBits(alone.gradB().item(), batched.get(s).gradB().item(), "dB of chunk " + s);
      start += lengths[s];
    }
  }

  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
        what + ": " + expected + " vs " + actual);
  }
}
