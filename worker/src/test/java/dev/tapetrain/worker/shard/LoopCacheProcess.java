package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.models.Losses;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import dev.tapetrain.worker.LoopFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A worker JVM's first evaluation of a small MLP with the loop cache in {@code args[0]}: with
 * {@code args[1]} = {@code now} it compiles at once (at run time, or from the cache), with
 * {@code default} only if a loop needs no compiler (the default schedule's first evaluation).
 * Prints {@code origin …} and {@code bits …} (the compiled sums of a block, as hex) for
 * {@link LoopCacheProcessesTest}.
 */
public final class LoopCacheProcess {

  private LoopCacheProcess() {}

  /** A tanh network whose width is this test's own (no other test compiles its loop). */
  static final class Mlp implements Model {
    static final int HIDDEN = 11;

    @Override
    public List<Parameter> parameters() {
      double[] w1 = new double[2 * HIDDEN];
      for (int i = 0; i < w1.length; i++) {
        w1[i] = 0.05 * (i + 1) * (i % 3 == 0 ? 1 : -1);
      }
      double[] w2 = new double[HIDDEN];
      for (int i = 0; i < w2.length; i++) {
        w2[i] = 0.4 - 0.1 * i;
      }
      return List.of(new Parameter("w1", new int[] {2, HIDDEN}, w1, true),
          new Parameter("b1", new int[] {HIDDEN}, new double[HIDDEN], false),
          new Parameter("w2", new int[] {HIDDEN, 1}, w2, true),
          new Parameter("b2", new int[] {1}, new double[1], false));
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      Tensor hidden = Ops.tanh(MatrixOps.dense(x, p.get("w1"), p.get("b1")));
      return Losses.squaredErrorSum(MatrixOps.rowSum(
          MatrixOps.dense(hidden, p.get("w2"), p.get("b2"))), y);
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      throw new UnsupportedOperationException();
    }
  }

  public static void main(String[] args) {
    dev.tapetrain.node.cli.LauncherLogging.start(); // a worker JVM's logging
    LoopFiles.install(new dev.tapetrain.data.cache.CacheSettings(
        dev.tapetrain.data.cache.CacheSettings.Mode.AUTO, Path.of(args[0]), 1L << 30));
    int n = 500;
    double[][] x = new double[2][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[0][i] = Math.sin(0.3 * i);
      x[1][i] = Math.cos(0.7 * i);
      y[i] = x[0][i] * x[1][i];
    }
    Segment block = new Segment(0, new int[] {0, n}, x, y);
    Mlp model = new Mlp();
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(model,
        args[1].equals("now") ? 1 : ShardEvaluator.DEFAULT_COMPILE);
    CompiledModel compiled = compilation.compiled(n, block, 0, n, values);
    if (compiled == null) {
      System.out.println("origin eager");
      return;
    }
    System.out.println("origin " + (compiled.function().precompiled() ? "precompiled"
        : compiled.function().fromLoopStore() ? "cache" : "runtime"));
    int[] lengths = {3, 200, 297};
    double[] out = new double[compiled.width() * lengths.length];
    compiled.segmentSums(x, y, 0, lengths, values, out);
    StringBuilder bits = new StringBuilder();
    for (double v : out) {
      bits.append(Long.toHexString(Double.doubleToLongBits(v))).append(',');
    }
    System.out.println("bits " + bits);
  }
}
