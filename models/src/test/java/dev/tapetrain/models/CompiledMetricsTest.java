package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Tensor;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The built-in classifiers' accuracy is counted by the compiled loop itself, in the pass that
 * computes the loss (issue 27): the count of every range is the one the plain Java counts
 * ({@link Losses#correctArgmax}, {@link Losses#correctBinary}) give on the eager tape's logits,
 * ties and all, and a round of the compiled loop allocates nothing (no row-major copy of the
 * samples for the model's own metric code). A user's metric in plain Java still runs, by its
 * own code.
 */
class CompiledMetricsTest {

  private static final int[] LENGTHS = {0, 1, 2, 3, 4, 5, 7, 9, 64, 257};

  @Test
  void softmaxCountsItsAccuracyInTheLoopAsThePlainCountDoes() throws Exception {
    for (int[] size : new int[][] {{50, 10}, {2, 3}, {3, 2}}) {
      Model softmax = Models.create("softmax", size[0], size[1], 42, Map.of());
      assertCounts(softmax, size[0], (values, x, y) -> Losses.correctArgmax(
          MatrixOps.dense(x, Tensor.matrix(size[0], size[1], values.get(0)),
              Tensor.vector(values.get(1))), y));
    }
  }

  @Test
  void logisticCountsItsAccuracyInTheLoopAsThePlainCountDoes() throws Exception {
    for (int features : new int[] {1, 6}) {
      Model logistic = Models.create("logistic", features, 0, 42, Map.of());
      assertCounts(logistic, features, (values, x, y) -> Losses.correctBinary(
          BuiltInModels.affine(x, Tensor.vector(values.get(0)), Tensor.scalar(values.get(1)[0])),
          y));
    }
  }

  @Test
  void aCompiledSoftmaxRoundAllocatesNothing() throws Exception {
    Model softmax = Models.create("softmax", 50, 10, 42, Map.of());
    SplittableRandom random = new SplittableRandom(3);
    int n = 4096;
    double[][] columns = new double[51][];
    for (int f = 0; f < 50; f++) {
      columns[f] = column(random, n);
    }
    columns[50] = labels(random, n, 10);
    List<double[]> values = values(softmax, random, false);
    CompiledModel compiled = CompiledModel.compile(softmax, slice(columns, 50, 11),
        Arrays.copyOf(columns[50], 11), values, true);
    assertTrue(compiled.metricsCompiled(), "softmax's accuracy is in the loop");
    int[] lengths = {1024, 1024, 1024, 1024};
    double[] params = new double[compiled.parameterValues()];
    compiled.flatten(values, params);
    double[] out = new double[compiled.width() * lengths.length];
    for (int warm = 0; warm < 20; warm++) {
      compiled.segmentSums(columns, 0, lengths, 0, lengths.length, params, values, out, 0);
    }
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = bean.getCurrentThreadAllocatedBytes();
    for (int round = 0; round < 10; round++) {
      compiled.segmentSums(columns, 0, lengths, 0, lengths.length, params, values, out, 0);
    }
    long allocated = bean.getCurrentThreadAllocatedBytes() - before;
    // A row-major copy of the samples for the eager metric was 4096 · 50 · 8 B = 1.6 MB a round.
    assertTrue(allocated < 4096, allocated + " bytes allocated in 10 rounds");
  }

  /** A softmax whose metric is plain Java: how many samples have label 0. */
  private static final class PlainJavaMetric implements Model {
    private final Model softmax = Models.create("softmax", 3, 4, 42, Map.of());

    @Override
    public List<Parameter> parameters() {
      return softmax.parameters();
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      return softmax.lossSum(p, x, y);
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      return softmax.predict(p, x);
    }

    @Override
    public List<String> metrics() {
      return List.of("zeros");
    }

    @Override
    public double[] metricSums(Map<String, Tensor> p, Tensor x, Tensor y) {
      double zeros = 0;
      for (double label : y.toArray()) {
        zeros += label == 0 ? 1 : 0;
      }
      return new double[] {zeros};
    }
  }

  @Test
  void aUsersPlainJavaMetricStillRunsByItsOwnCode() throws Exception {
    Model model = new PlainJavaMetric();
    assertCounts(model, 3, (values, x, y) -> {
      double zeros = 0;
      for (int i = 0; i < y.size(); i++) {
        zeros += y.get(i) == 0 ? 1 : 0;
      }
      return zeros;
    });
  }

  /** A count computed independently of the compiled loop, from eager tensors. */
  @FunctionalInterface
  private interface PlainCount {
    double of(List<double[]> values, Tensor x, Tensor y);
  }

  /**
   * Compiles {@code model} and checks the metric of every range of {@link #LENGTHS} against
   * {@code plain}, at random parameters and at zeros (every score tied), and that the loop
   * computes the metric itself exactly when the model writes it with the tape's ops.
   */
  private static void assertCounts(Model model, int features, PlainCount plain)
      throws Exception {
    SplittableRandom random = new SplittableRandom(features);
    int k = Math.max(2, model.classes());
    int total = Arrays.stream(LENGTHS).sum() + 5;
    double[][] x = new double[features][];
    for (int f = 0; f < features; f++) {
      x[f] = column(random, total);
    }
    double[] y = labels(random, total, k);
    CompiledModel compiled = CompiledModel.compile(model, slice(x, features, 11),
        Arrays.copyOf(y, 11), values(model, random, false), true);
    assertEquals(!(model instanceof PlainJavaMetric), compiled.metricsCompiled());
    for (boolean zeros : new boolean[] {false, true}) {
      List<double[]> values = values(model, random, zeros);
      double[] out = new double[compiled.width() * LENGTHS.length];
      compiled.segmentSums(x, y, 5, LENGTHS, values, out);
      int from = 5;
      double[] counted = new double[LENGTHS.length];
      double[] expected = new double[LENGTHS.length];
      for (int s = 0; s < LENGTHS.length; s++) {
        double[] rowMajor = new double[LENGTHS[s] * features];
        for (int i = 0; i < LENGTHS[s]; i++) {
          for (int f = 0; f < features; f++) {
            rowMajor[i * features + f] = x[f][from + i];
          }
        }
        expected[s] = plain.of(values, Tensor.matrix(LENGTHS[s], features, rowMajor),
            Tensor.vector(Arrays.copyOfRange(y, from, from + LENGTHS[s])));
        counted[s] = out[(s + 1) * compiled.width() - 1];
        from += LENGTHS[s];
      }
      assertArrayEquals(expected, counted, 0.0, (zeros ? "zeros" : "random") + " parameters");
      if (zeros && model.classes() > 2) {
        assertFalse(Arrays.equals(counted, new double[LENGTHS.length]), "ties count class 0");
      }
    }
  }

  private static double[][] slice(double[][] columns, int count, int n) {
    double[][] out = new double[count][];
    for (int f = 0; f < count; f++) {
      out[f] = Arrays.copyOf(columns[f], n);
    }
    return out;
  }

  private static List<double[]> values(Model model, SplittableRandom random, boolean zeros) {
    List<double[]> values = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      values.add(zeros ? new double[p.size()] : column(random, p.size()));
    }
    return values;
  }

  private static double[] labels(SplittableRandom random, int n, int k) {
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(k);
    }
    return y;
  }

  private static double[] column(SplittableRandom random, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextDouble(-2, 2);
    }
    return v;
  }
}
