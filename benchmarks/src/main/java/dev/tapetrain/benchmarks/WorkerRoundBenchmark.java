package dev.tapetrain.benchmarks;

import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.ChunkRuns;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.shard.EvaluationThreads;
import dev.tapetrain.worker.shard.ModelLayouts;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One worker's round as the actor runs it ({@link ShardEvaluator#evaluateTree}), in the steady
 * state (the model compiled), for allocation per round: run with {@code -prof gc} and read
 * {@code gc.alloc.rate.norm} (bytes per operation = per round). A full pass over 65 536 samples,
 * or a mini-batch of 4096 of them, a different batch of the epoch each round; softmax with 50
 * features and 10 classes, or the MLP (10 features, 16 hidden units, regression), or
 * ({@code -p model=logistic}) logistic regression on 10 features; on
 * {@code threads} evaluation threads ({@code -p threads=2}). The chunks are passed as the
 * worker actor passes them, as {@code ChunkRuns}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WorkerRoundBenchmark {

  static final int SAMPLES = 65_536;
  static final int BATCH = 4096;

  @Param({"softmax", "mlp"})
  String model;

  @Param({"full", "batch"})
  String round;

  /** {@code --worker-threads}. */
  @Param({"1"})
  int threads;

  private EvaluationThreads pool;

  private ShardEvaluator evaluator;
  private List<Integer> chunks;
  private List<NamedTensor> params;
  private final List<Batch> batches = new ArrayList<>();
  private final List<List<Integer>> batchChunks = new ArrayList<>();
  private int step;

  @Setup
  public void setUp() {
    DatasetSpec dataset = WorkerModels.dataset(model, SAMPLES);
    ModelSpec spec = WorkerModels.spec(model);
    pool = new EvaluationThreads(threads, "bench");
    evaluator = new ShardEvaluator(dataset, spec, 0, null, note -> { }, pool);
    // As the actor's message holds them (WorkerProtocol keeps a round's chunks as ChunkRuns).
    chunks = ChunkRuns.of(WorkerModels.allChunks(dataset));
    evaluator.ensureLoaded(chunks);
    params = ModelLayouts.initialValues(evaluator.model());
    for (int b = 0; b < SAMPLES / BATCH; b++) {
      Batch batch = new Batch(7, 1, true, SAMPLES, (long) b * BATCH, BATCH);
      batches.add(batch);
      batchChunks.add(ChunkRuns.of(new ArrayList<>(new EpochOrder().members(batch,
          dataset.chunkSize()).keySet())));
    }
  }

  @TearDown
  public void tearDown() {
    pool.close();
  }

  /** One round: every chunk, or the next mini-batch's members, added along the chunk tree. */
  @Benchmark
  public List<ChunkResult> round() {
    if (round.equals("full")) {
      return evaluator.evaluateTree(params, chunks);
    }
    int b = step++ % batches.size();
    return evaluator.evaluateTree(params, batchChunks.get(b), batches.get(b));
  }
}
