package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.Segment;
import dev.tapetrain.models.Losses;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tracing a model for the compiled loop runs its tape eagerly on example samples. On a whole
 * block (up to 8192 samples) a wide model's activations took more memory than a worker's heap
 * had (CI, 2026-12-06: an MLP with 9000 hidden units at -Xmx256m, "out of memory in round 0"),
 * where evaluating chunk by chunk fits. The trace must see no more rows than a chunk would.
 */
class ModelCompilationTest {

  /**
   * A small tanh network that remembers the most rows any of its evaluations was given. Each
   * test takes its own width: a loop compiled at run time serves every later program like it in
   * the JVM (as a precompiled one), so tests sharing a program would depend on their order.
   */
  private static class CountingModel implements Model {
    final int hidden;
    int mostRows;

    CountingModel(int hidden) {
      this.hidden = hidden;
    }

    @Override
    public List<Parameter> parameters() {
      double[] w1 = new double[2 * hidden];
      for (int i = 0; i < w1.length; i++) {
        w1[i] = 0.1 * (i + 1) * (i % 2 == 0 ? 1 : -1);
      }
      double[] w2 = new double[hidden];
      for (int i = 0; i < w2.length; i++) {
        w2[i] = 0.7 - 0.3 * i;
      }
      return List.of(new Parameter("w1", new int[] {2, hidden}, w1, true),
          new Parameter("b1", new int[] {hidden}, new double[hidden], false),
          new Parameter("w2", new int[] {hidden, 1}, w2, true),
          new Parameter("b2", new int[] {1}, new double[1], false));
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      mostRows = Math.max(mostRows, x.shape()[0]);
      Tensor hidden = Ops.tanh(MatrixOps.dense(x, p.get("w1"), p.get("b1")));
      return Losses.squaredErrorSum(MatrixOps.rowSum(
          MatrixOps.dense(hidden, p.get("w2"), p.get("b2"))), y);
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      throw new UnsupportedOperationException();
    }
  }

  /** {@code n} samples of two features and a target, in one chunk. */
  private static Segment block(int n) {
    double[][] x = new double[2][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[0][i] = Math.sin(i);
      x[1][i] = Math.cos(0.5 * i);
      y[i] = x[0][i] - x[1][i];
    }
    return new Segment(0, new int[] {0, n}, x, y);
  }

  @Test
  void theProgramIsTracedOnAFewSamplesWhateverTheBlock() throws Exception {
    int n = 8192;
    Segment block = block(n);
    CountingModel model = new CountingModel(3);
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(model, 1); // compile now, at run time

    assertNotNull(compilation.compiled(n, block, 0, n, values), "the MLP compiles");
    assertTrue(model.mostRows >= 3 && model.mostRows <= ModelCompilation.TRACE_SAMPLES,
        "traced on " + model.mostRows + " samples of a block of " + n);
  }

  @Test
  void smallEvaluationsCompileAfterSixtyFourByDefault() {
    // Mini-batch rounds: 128 samples a worker a round would take 8192 rounds to reach the
    // sample threshold; the model compiles after 64 evaluations instead.
    int n = 128;
    Segment block = block(n);
    CountingModel model = new CountingModel(4);
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    for (int i = 1; i < ModelCompilation.COMPILE_AFTER_EVALUATIONS; i++) {
      assertNull(compilation.compiled(n, block, 0, n, values), "evaluation " + i + ": eager");
    }
    assertNotNull(compilation.compiled(n, block, 0, n, values), "compiled at evaluation 64");
  }

  @Test
  void slowEagerEvaluationsCompileOnceTheyTookAboutACompilesTime() {
    int n = 128;
    Segment block = block(n);
    CountingModel model = new CountingModel(6);
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    assertNull(compilation.compiled(n, block, 0, n, values), "eager first");
    compilation.eagerTook(ModelCompilation.COMPILE_AFTER_EAGER_NANOS - 1);
    assertNull(compilation.compiled(n, block, 0, n, values), "just under: eager");
    compilation.eagerTook(1);
    assertNotNull(compilation.compiled(n, block, 0, n, values), "compiled");
    CountingModel other = new CountingModel(7);
    ModelCompilation explicit = new ModelCompilation(other, 1L << 40);
    explicit.eagerTook(10 * ModelCompilation.COMPILE_AFTER_EAGER_NANOS);
    assertNull(explicit.compiled(n, block, 0, n,
        other.parameters().stream().map(Parameter::initial).toList()),
        "an explicit threshold is kept");
  }

  @Test
  void anEpochOfManyBatchesCompilesAtItsFirstEvaluation() {
    int n = 128;
    Segment block = block(n);
    CountingModel model = new CountingModel(5);
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation few = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    few.expectRounds(ModelCompilation.COMPILE_AFTER_EVALUATIONS - 1);
    assertNull(few.compiled(n, block, 0, n, values), "63 rounds ahead: eager first");
    ModelCompilation many = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    many.expectRounds(3907); // 1M samples in batches of 256
    assertNotNull(many.compiled(n, block, 0, n, values), "compiled at once");
    ModelCompilation explicit = new ModelCompilation(model, 1L << 40);
    explicit.expectRounds(3907);
    assertNull(explicit.compiled(n, block, 0, n, values), "an explicit threshold is kept");
  }

  @Test
  void fewFullBatchRoundsOfManySamplesCompileAtTheirFirstEvaluation() {
    // Job E of PeerBenchmark: 30 steps of 50 000 samples a worker. Fewer than 64 rounds, but
    // their samples pass the sample threshold (2^20 = 1 048 576): compiling later only adds the
    // eager rounds before it. The samples are counted from the evaluation's own count (50 000);
    // the block only serves the trace.
    Segment block = block(64);
    long samples = 50_000;
    long enough = (ShardEvaluator.COMPILE_AFTER_SAMPLES + samples - 1) / samples; // 21
    CountingModel model = new CountingModel(8);
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation under = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    under.expectRounds(enough - 1); // 1 000 000 samples ahead
    assertNull(under.compiled(samples, block, 0, 64, values), "20 rounds ahead: eager first");
    ModelCompilation none = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    none.expectRounds(0);
    assertNull(none.compiled(samples, block, 0, 64, values), "nothing said: eager first");
    // Last: once compiled, the loop serves every later program like it in this JVM.
    ModelCompilation at = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    at.expectRounds(enough); // 1 050 000
    assertNotNull(at.compiled(samples, block, 0, 64, values), "21 rounds ahead: at once");
  }

  @Test
  void aShardAssignedForManyRoundsCompilesWhileItLoads() throws Exception {
    // The worker starts the compile when the shard is assigned, before it loads (the trace runs
    // on zeros); its first evaluation, told nothing of the rounds ahead (so eager without this),
    // finds that loop among the JVM's loops: the program does not depend on the data's values.
    int n = 128;
    Segment block = block(n);
    CountingModel model = new CountingModel(9);
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    LoopPrefetch.awaitIdle(); // an earlier test's warm-up may still hold the thread
    Future<?> ahead = compilation.compileAhead(3907, 256, 2);
    assertNotNull(ahead, "3907 rounds ahead: compiled while loading");
    ahead.get(2, TimeUnit.MINUTES);
    assertNotNull(compilation.compiled(n, block, 0, n, values),
        "the first evaluation runs the loop compiled ahead");
  }

  @Test
  void aShortJobCompilesNothingAhead() {
    int n = 128;
    Segment block = block(n);
    CountingModel model = new CountingModel(10);
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    long samples = 50_000;
    long enough = (ShardEvaluator.COMPILE_AFTER_SAMPLES + samples - 1) / samples; // 21
    assertNull(compilation.compileAhead(enough - 1, samples, 2), "20 rounds of 50 000");
    assertNull(compilation.compileAhead(ModelCompilation.COMPILE_AFTER_EVALUATIONS - 1, 256, 2), "63 small rounds");
    assertNull(compilation.compileAhead(0, samples, 2), "nothing said");
    assertNull(new ModelCompilation(model, 1L << 40).compileAhead(3907, samples, 2),
        "an explicit threshold is kept");
    assertNull(compilation.compiled(n, block, 0, n, values), "the first evaluation: eager");
  }

  @Test
  void aModelThatFailsWhileCompiledAheadFailsAtItsFirstEvaluation() throws Exception {
    // What the compile thread meets is not the run's end: the first evaluation meets it again
    // and reports it as always (here the model's own exception).
    CountingModel broken = new CountingModel(11) {
      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        throw new IllegalStateException("the model's own bug");
      }
    };
    List<double[]> values = broken.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(broken, ShardEvaluator.DEFAULT_COMPILE);
    LoopPrefetch.awaitIdle(); // an earlier test's warm-up may still hold the thread
    Future<?> ahead = compilation.compileAhead(3907, 256, 2);
    assertNotNull(ahead);
    assertNull(ahead.get(2, TimeUnit.MINUTES), "ended, its failure kept to the compile thread");
    assertTrue(!compilation.settled(), "nothing decided for the first evaluation");
    Segment block = block(64);
    compilation.expectRounds(3907);
    assertThrows(dev.tapetrain.models.ModelFailure.class,
        () -> compilation.compiled(64, block, 0, 64, values), "the first evaluation meets it");
  }

  @Test
  void aFirstEvaluationBeforeTheLoopCompiledAheadIsReadyRunsEagerlyAndLooksAgainNextTime()
      throws Exception {
    // A plan whose first evaluation may not compile at run time (nothing said of the rounds
    // after it) while the compile started at loading is still running: eager this once, not
    // eager for good because no loop was at hand that moment.
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    CountingModel slow = new CountingModel(12) {
      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        if (Thread.currentThread().getName().equals("tapetrain-loop-compile")) {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return super.lossSum(p, x, y);
      }
    };
    int n = 128;
    Segment block = block(n);
    List<double[]> values = slow.parameters().stream().map(Parameter::initial).toList();
    ModelCompilation compilation = new ModelCompilation(slow, ShardEvaluator.DEFAULT_COMPILE);
    LoopPrefetch.awaitIdle(); // an earlier test's warm-up may still hold the thread
    Future<?> ahead = compilation.compileAhead(3907, 256, 2);
    try {
      assertNotNull(ahead);
      assertNull(compilation.compiled(n, block, 0, n, values), "not ready: eager");
    } finally {
      release.countDown(); // never leave the JVM's compile thread blocked
    }
    ahead.get(2, TimeUnit.MINUTES);
    assertNotNull(compilation.compiled(n, block, 0, n, values), "ready: compiled");
  }

  @Test
  void aJvmsWorkersFindTheLoopCompiledBeforeTheyHadShards() throws Exception {
    // local-runner starts the compile while its actor system starts; a worker's first
    // evaluation, told nothing of the rounds after it, then runs the loop.
    dev.tapetrain.protocol.DatasetSpec data = new dev.tapetrain.protocol.DatasetSpec(
        dev.tapetrain.protocol.DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42),
        64);
    dev.tapetrain.protocol.ModelSpec mlp = new dev.tapetrain.protocol.ModelSpec("mlp", 0, 42,
        Map.of("hidden", "14"));
    LoopPrefetch.awaitIdle(); // an earlier test's warm-up may still hold the thread
    Future<?> ahead = ShardEvaluator.compileAhead(data, mlp, 100, 500);
    assertNotNull(ahead, "100 rounds: compiled ahead");
    ahead.get(2, TimeUnit.MINUTES);
    ShardEvaluator worker = new ShardEvaluator(data, mlp);
    worker.evaluate(ModelLayouts.initialValues(worker.model()), List.of(0, 1, 2));
    assertTrue(worker.isCompiled(), "the first evaluation ran the loop compiled ahead");
    assertNull(ShardEvaluator.compileAhead(data, new dev.tapetrain.protocol.ModelSpec("mlp", 0,
        42, Map.of("hidden", "15")), 5, 500), "5 rounds of 500 samples: not worth a compile");
  }
}
