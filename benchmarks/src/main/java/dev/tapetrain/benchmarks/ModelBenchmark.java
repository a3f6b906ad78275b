package dev.tapetrain.benchmarks;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.shard.ModelLayouts;
import dev.tapetrain.worker.shard.ShardEvaluator;
import java.util.ArrayList;
import java.util.Collections;
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
    boolean softmax = model.equals("softmax");
    int features = softmax ? 50 : 10;
    List<Double> trueW = new ArrayList<>(Collections.nCopies(features, 0.5));
    DatasetSpec dataset = new DatasetSpec(DatasetSpec.Source.synthetic(SAMPLES, trueW, 0.1, 1, 42,
        softmax ? 10 : 0), DatasetSpec.defaultChunkSize(SAMPLES));
    ModelSpec spec = new ModelSpec(model, softmax ? 10 : 0, 42,
        model.equals("mlp") ? java.util.Map.of("hidden", "16") : java.util.Map.of());
    evaluator = new ShardEvaluator(dataset, spec);
    chunks = new ArrayList<>();
    for (int c = 0; c < dataset.numChunks(); c++) {
      chunks.add(c);
    }
    evaluator.ensureLoaded(chunks);
    params = ModelLayouts.initialValues(evaluator.model());
  }

  /** The loss, gradient and metric sums of every sample, added along the chunk tree. */
  @Benchmark
  public List<ChunkResult> gradientPass() {
    return evaluator.evaluateTree(params, chunks);
  }
}
