package dev.tapetrain.benchmarks;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.shard.ModelLayouts;
import dev.tapetrain.worker.shard.ShardEvaluator;
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
 * One worker's gradient pass over 65 536 samples for the built-in models other than the
 * tutorial's, as a worker runs them (the eager tape, chunk by chunk, then the chunk tree):
 * softmax with 50 features and 10 classes, and the MLP (10 features, 16 hidden units,
 * regression). Samples per second = 65 536 / the time per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ModelBenchmark {

  /** Samples in the pass. */
  static final int SAMPLES = 65_536;

  @Param({"softmax", "mlp"})
  String model;

  private ShardEvaluator evaluator;
  private List<Integer> chunks;
  private List<NamedTensor> params;

  @Setup
  public void setUp() {
    DatasetSpec dataset = WorkerModels.dataset(model, SAMPLES);
    ModelSpec spec = WorkerModels.spec(model);
    evaluator = new ShardEvaluator(dataset, spec);
    chunks = WorkerModels.allChunks(dataset);
    evaluator.ensureLoaded(chunks);
    params = ModelLayouts.initialValues(evaluator.model());
  }

  /** The loss, gradient and metric sums of every sample, added along the chunk tree. */
  @Benchmark
  public List<ChunkResult> gradientPass() {
    return evaluator.evaluateTree(params, chunks);
  }
}
