package dev.tapetrain.benchmarks;

import dev.tapetrain.models.LinearRegression;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.data.Chunk;
import dev.tapetrain.data.SampleGenerator;
import dev.tapetrain.worker.shard.ShardEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One worker's full gradient pass (loss sum and gradient sums of every chunk) over the same
 * samples: through the tape engine, and through a hand-fused loop, the practical limit. Both
 * produce one result per chunk, so they do the same work; their ratio comes from one run.
 * {@code tapeEager} runs the same tape op by op, for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TapeBenchmark {

  @Param({"1000000"})
  int samples;

  private ShardEvaluator evaluator;
  private ShardEvaluator eagerEvaluator;
  private List<Integer> chunks;
  private List<NamedTensor> params;
  private double[][] xs;
  private double[][] ys;

  @Setup
  public void setUp() {
    DatasetSpec.Source source = DatasetSpec.Source.synthetic(samples, List.of(3.0), 2, 1, 42);
    DatasetSpec dataset = new DatasetSpec(source, DatasetSpec.defaultChunkSize(samples));
    chunks = new ArrayList<>();
    xs = new double[dataset.numChunks()][];
    ys = new double[dataset.numChunks()][];
    for (int c = 0; c < dataset.numChunks(); c++) {
      chunks.add(c);
      Chunk chunk = SampleGenerator.generate(SampleGenerator.Params.of(source), c,
          dataset.chunkStart(c),
          dataset.chunkLength(c));
      xs[c] = chunk.x()[0];
      ys[c] = chunk.y();
    }
    evaluator = new ShardEvaluator(dataset);
    evaluator.ensureLoaded(chunks);
    eagerEvaluator = new ShardEvaluator(dataset, Long.MAX_VALUE);
    eagerEvaluator.ensureLoaded(chunks);
    params = List.of(NamedTensor.scalar(LinearRegression.W, 5.0),
        NamedTensor.scalar(LinearRegression.B, 10.0));
  }

  /**
   * The tape engine, as a worker runs it: the linear model's own program compiled into one loop
   * (precompiled, from the first call; see ShardEvaluator.COMPILE_AFTER_SAMPLES for others).
   */
  @Benchmark
  public List<ChunkResult> tape() {
    return evaluator.evaluate(params, chunks);
  }

  /** The tape engine run eagerly, op by op, chunk by chunk (never compiled). */
  @Benchmark
  public List<ChunkResult> tapeEager() {
    return eagerEvaluator.evaluate(params, chunks);
  }

  /**
   * The same sums written by hand: one pass per chunk, two lanes per sum (six accumulators). A
   * four-lane version measured slower here (3.04 vs 2.75 ms in one run), so this is the limit.
   */
  @Benchmark
  public double[][] fusedLoop() {
    double w = 5.0;
    double b = 10.0;
    double[][] out = new double[xs.length][];
    for (int c = 0; c < xs.length; c++) {
      double[] x = xs[c];
      double[] y = ys[c];
      double l0 = 0;
      double l1 = 0;
      double w0 = 0;
      double w1 = 0;
      double b0 = 0;
      double b1 = 0;
      int i = 0;
      for (; i + 1 < x.length; i += 2) {
        double e0 = x[i] * w + b - y[i];
        double e1 = x[i + 1] * w + b - y[i + 1];
        l0 += e0 * e0;
        l1 += e1 * e1;
        w0 += 2 * e0 * x[i];
        w1 += 2 * e1 * x[i + 1];
        b0 += 2 * e0;
        b1 += 2 * e1;
      }
      for (; i < x.length; i++) {
        double e = x[i] * w + b - y[i];
        l0 += e * e;
        w0 += 2 * e * x[i];
        b0 += 2 * e;
      }
      out[c] = new double[] {l0 + l1, w0 + w1, b0 + b1};
    }
    return out;
  }
}
