package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.tape.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One compiled pass over many chunks gives each chunk the very bits of the eager tape over it
 * alone ({@link ModelGradients#of}): the compiled path and the eager {@link Model} path are one
 * implementation of the tutorial's model.
 */
class SegmentSumsTest {

  private static final Model LINEAR = CompiledModelTest.linear(1);

  @Test
  void segmentSumsAreBitIdenticalToOneTapePerChunk() throws Exception {
    Random rnd = new Random(21);
    int[] lengths = {64, 64, 13, 1, 64, 37};
    int n = Arrays.stream(lengths).sum();
    double[] x = rnd.doubles(n, -3, 3).toArray();
    double[] y = rnd.doubles(n, -10, 10).toArray();
    assertBlockIsEachChunkAlone(x, y, 0, lengths, List.of(new double[] {4.7},
        new double[] {-1.3}));
  }

  /**
   * Signed zeros in x, y and the parameters, odd lengths and lengths below the loop's four lanes,
   * a block starting inside the arrays, and parameters far apart in size.
   */
  @Test
  void aBlockOfShortChunksWithSignedZerosHasEachChunksEagerBits() throws Exception {
    Random rnd = new Random(5);
    int[] lengths = {5, 1, 2, 3, 4, 7, 13, 1, 3};
    int from = 3;
    int n = from + Arrays.stream(lengths).sum();
    double[] x = rnd.doubles(n, -2, 2).toArray();
    double[] y = rnd.doubles(n, -5, 5).toArray();
    for (int i = 0; i < n; i += 3) {
      x[i] = -0.0;
      y[(i + 1) % n] = -0.0;
    }
    x[4] = 0.0;
    y[4] = 0.0;
    for (double[] wb : new double[][] {{-0.0, -0.0}, {0.0, -0.0}, {-0.25, 3.5},
        {1e6, -1e-6}, {-0.0, 2.0}}) {
      assertBlockIsEachChunkAlone(x, y, from, lengths, List.of(new double[] {wb[0]},
          new double[] {wb[1]}));
    }
  }

  private static void assertBlockIsEachChunkAlone(double[] x, double[] y, int from,
      int[] lengths, List<double[]> values) throws Exception {
    CompiledModel compiled = CompiledModel.compile(LINEAR, new double[][] {x}, y, values, true);
    double[] out = new double[compiled.width() * lengths.length];
    compiled.segmentSums(new double[][] {x}, y, from, lengths, values, out);
    int start = from;
    for (int s = 0; s < lengths.length; s++) {
      int len = lengths[s];
      ModelGradients.Sums alone = ModelGradients.of(LINEAR, values,
          Tensor.matrix(len, 1, Arrays.copyOfRange(x, start, start + len)),
          Tensor.vector(Arrays.copyOfRange(y, start, start + len)));
      String at = "chunk " + s + " at w, b = " + values.get(0)[0] + ", " + values.get(1)[0];
      assertBits(alone.lossSum(), out[3 * s], "loss of " + at);
      assertBits(alone.gradients().get(0)[0], out[3 * s + 1], "dW of " + at);
      assertBits(alone.gradients().get(1)[0], out[3 * s + 2], "dB of " + at);
      start += len;
    }
  }

  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
        what + ": " + expected + " vs " + actual);
  }
}
