package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Models with matrix parameters and several features compile into one loop over samples whose
 * sums are bit for bit what the eager tape gives for each range of samples alone
 * ({@link ModelGradients#of}): the determinism contract's "within a chunk, the generated code's
 * order" is the eager tape's order.
 */
class CompiledMatrixModelTest {

  @Test
  void mlpRegressionCompilesBitForBitAgainstTheEagerTape() throws Exception {
    assertBitIdentical(Models.create("mlp", 10, 0, 42, Map.of("hidden", "32")), 10, 1);
    assertBitIdentical(Models.create("mlp", 1, 0, 7, Map.of("hidden", "16")), 1, 2);
    assertBitIdentical(Models.create("mlp", 3, 0, 9, Map.of("hidden", "1")), 3, 3);
  }

  @Test
  void softmaxAndMlpClassesCompileBitForBitWithTheirAccuracy() throws Exception {
    assertBitIdentical(Models.create("softmax", 50, 10, 42, Map.of()), 50, 5);
    assertBitIdentical(Models.create("softmax", 2, 3, 1, Map.of()), 2, 6);
    assertBitIdentical(Models.create("mlp", 4, 3, 42, Map.of("hidden", "6")), 4, 7);
  }

  /**
   * A product sums its elements in tiles of 4 to 10 side by side, then the columns no tile
   * covers one at a time: widths no such tile divides (11 classes, 13 and 17 hidden units, the
   * backward product of 13 too) take both paths and still give the eager tape's bits.
   */
  @Test
  void productsWithColumnsLeftOverAfterTheTilesCompileBitForBit() throws Exception {
    assertBitIdentical(Models.create("softmax", 6, 11, 42, Map.of()), 6, 10);
    assertBitIdentical(Models.create("mlp", 3, 0, 42, Map.of("hidden", "13")), 3, 11);
    assertBitIdentical(Models.create("mlp", 5, 3, 42, Map.of("hidden", "17")), 5, 12);
  }

  @Test
  void logisticCompilesBitForBitWithItsMasksAndAccuracy() throws Exception {
    assertBitIdentical(Models.create("logistic", 5, 0, 42, Map.of()), 5, 8);
    assertBitIdentical(Models.create("logistic", 1, 0, 42, Map.of()), 1, 9);
  }

  @Test
  void aMatrixModelIsTracedOncePerLayoutWhateverTheNumberOfSamples() throws Exception {
    Model softmax = Models.create("softmax", 4, 3, 42, Map.of());
    SplittableRandom random = new SplittableRandom(8);
    List<double[]> values = values(softmax, random);
    String eleven = CompiledModel.compile(softmax, columns(random, 4, 11),
        targets(softmax, random, 11), values, true).function().source();
    String thousand = CompiledModel.compile(softmax, columns(random, 4, 1000),
        targets(softmax, random, 1000), values, true).function().source();
    assertEquals(eleven, thousand);
  }

  @Test
  void linearOnSeveralFeaturesCompilesBitForBit() throws Exception {
    assertBitIdentical(Models.create("linear", 5, 0, 42, Map.of()), 5, 4);
  }

  /**
   * Compiles {@code model} on one sample set, then compares its sums with the eager tape's on
   * other samples, other parameter values and ranges of every length from 0 to 9 and a long
   * one (four-lane sums' tails), bit for bit.
   */
  static void assertBitIdentical(Model model, int features, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] exampleX = columns(random, features, 11);
    double[] exampleY = targets(model, random, 11);
    CompiledModel compiled = CompiledModel.compile(model, exampleX, exampleY,
        values(model, random), true);
    assertNotNull(compiled);
    assertFalse(compiled.function().precompiled());
    int[] lengths = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 257};
    int total = Arrays.stream(lengths).sum() + 3;
    double[][] x = columns(random, features, total);
    double[] y = targets(model, random, total);
    for (int round = 0; round < 3; round++) {
      List<double[]> values = values(model, random);
      double[] out = new double[compiled.width() * lengths.length];
      compiled.segmentSums(x, y, 3, lengths, values, out);
      int from = 3;
      for (int s = 0; s < lengths.length; s++) {
        double[] rowMajor = new double[lengths[s] * features];
        for (int i = 0; i < lengths[s]; i++) {
          for (int f = 0; f < features; f++) {
            rowMajor[i * features + f] = x[f][from + i];
          }
        }
        ModelGradients.Sums eager = ModelGradients.of(model, values,
            Tensor.matrix(lengths[s], features, rowMajor),
            Tensor.vector(Arrays.copyOfRange(y, from, from + lengths[s])));
        double[] row = new double[compiled.width()];
        row[0] = eager.lossSum();
        int at = 1;
        for (double[] g : eager.gradients()) {
          System.arraycopy(g, 0, row, at, g.length);
          at += g.length;
        }
        System.arraycopy(eager.metricSums(), 0, row, at, eager.metricSums().length);
        for (int k = 0; k < row.length; k++) {
          assertEquals(Double.doubleToRawLongBits(row[k]),
              Double.doubleToRawLongBits(out[s * row.length + k]),
              "range " + s + " (" + lengths[s] + " samples), value " + k + ": eager " + row[k]
                  + ", compiled " + out[s * row.length + k]);
        }
        from += lengths[s];
      }
    }
  }

  /** Labels 0 … K−1 for a classifier, else values in [−2, 2). */
  private static double[] targets(Model model, SplittableRandom random, int n) {
    if (model.classes() == 0) {
      return column(random, n);
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(model.classes());
    }
    return y;
  }

  private static List<double[]> values(Model model, SplittableRandom random) {
    List<double[]> values = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      values.add(column(random, p.size()));
    }
    return values;
  }

  private static double[][] columns(SplittableRandom random, int features, int n) {
    double[][] x = new double[features][];
    for (int f = 0; f < features; f++) {
      x[f] = column(random, n);
    }
    return x;
  }

  private static double[] column(SplittableRandom random, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextDouble(-2, 2);
    }
    return v;
  }
}
