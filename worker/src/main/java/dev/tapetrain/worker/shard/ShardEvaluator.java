package dev.tapetrain.worker.shard;

import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.protocol.ChunkRuns;
import dev.tapetrain.protocol.ChunkTree;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.data.Segment;
import dev.tapetrain.data.ShardLoader;
import dev.tapetrain.data.cache.CacheSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import dev.tapetrain.worker.shard.ShardBlocks.Block;

/**
 * A worker's chunks and the evaluation of the model on them. Each chunk is evaluated on its own
 * (its result depends only on the parameters and the chunk's samples), which is what makes the
 * reduced result independent of how chunks are spread over workers. Every model goes through
 * its {@link Model}: the tape runs it eagerly, chunk by chunk ({@link ModelGradients}), until it
 * is worth compiling; then the same program, traced once, runs as one loop over blocks of
 * consecutive chunks with each chunk's sums apart ({@link CompiledModel}). Both give the same
 * bits; a model the compiler cannot take stays eager.
 *
 * <p>The samples are on the heap (one {@link Segment} per run of chunks, read in place), or, for
 * a share larger than the heap, in the column cache ({@link MappedShard}): each block is then
 * copied into reused scratch arrays first, and evaluated exactly as on the heap, to the same
 * bits. Which chunks are held, and loading the missing ones, is {@link ShardChunks}' job.
 *
 * <p>A round's blocks (or chunks) may be evaluated on several threads ({@link
 * EvaluationThreads}, {@code --worker-threads}); each chunk's row is the same whatever thread
 * computes it and the rows are added in the tree's order after all are done ({@link
 * ParallelSums}), so the bits do not depend on the number of threads either. Calls come from one
 * thread at a time (the worker actor's); the model may also be traced on the JVM's compile
 * thread while the shard loads ({@link ModelCompilation#compileAhead}).
 */
public final class ShardEvaluator {

  private final DatasetSpec dataset;
  private final ShardChunks chunks;
  // The chunks' samples: in the heap's segments (read in place), or, if mapped is not null, in
  // the column cache.
  private final HeapChunks heap;
  private final ModelSpec modelSpec;
  private final Model model;
  private final ModelCompilation compilation;
  private final BatchEvaluation batchEvaluation;
  private final ParallelSums sums;
  // --class-weight's weights on the training samples' losses; null: unweighted.
  private final ClassWeighting weighting;
  // Null when the samples are on the heap (in segments).
  private final MappedShard mapped;
  // Where a mini-batch round reads a chunk: made once, not per round.
  private final BatchEvaluation.ChunkColumns batchSource;
  // Reused from round to round (a round's are spent before the next one starts): the ids of
  // the chunks asked for, and the parameters' values in the model's order.
  private int[] ids = new int[0];
  private final ArrayList<double[]> values = new ArrayList<>();

  /**
   * An evaluator of {@code dataset} holding no chunks yet, running a precompiled loop from the
   * first step and compiling others after {@link #COMPILE_AFTER_SAMPLES} (or as the system
   * property {@value #COMPILE_AFTER_PROPERTY} says, for both).
   */
  public ShardEvaluator(DatasetSpec dataset) {
    this(dataset, Long.getLong(COMPILE_AFTER_PROPERTY, DEFAULT_COMPILE));
  }

  /**
   * An evaluator of {@code model} on {@code dataset}, compiling the model's sums as
   * {@link #ShardEvaluator(DatasetSpec)} does.
   *
   * @throws IllegalArgumentException if the model is unknown here or its options do not fit
   */
  public ShardEvaluator(DatasetSpec dataset, ModelSpec model) {
    this(dataset, model, Long.getLong(COMPILE_AFTER_PROPERTY, DEFAULT_COMPILE));
  }

  /**
   * An evaluator that compiles the model's sums once {@code compileAfterSamples} samples have been
   * evaluated eagerly (0: at the first evaluation; {@link Long#MAX_VALUE}: never).
   */
  public ShardEvaluator(DatasetSpec dataset, long compileAfterSamples) {
    this(dataset, ModelSpec.linear(0), compileAfterSamples);
  }

  /** An evaluator of {@code model} that compiles after {@code compileAfterSamples} samples. */
  public ShardEvaluator(DatasetSpec dataset, ModelSpec model, long compileAfterSamples) {
    this(dataset, model, compileAfterSamples, null, note -> { });
  }

  /**
   * An evaluator of {@code model} whose samples live in the column cache of {@code offHeap}
   * (null: on the heap), telling {@code notes} what the cache did (built, rebuilt, evicted).
   */
  public ShardEvaluator(DatasetSpec dataset, ModelSpec model, CacheSettings offHeap,
      Consumer<String> notes) {
    this(dataset, model, Long.getLong(COMPILE_AFTER_PROPERTY, DEFAULT_COMPILE), offHeap, notes);
  }

  /**
   * As {@link #ShardEvaluator(DatasetSpec, ModelSpec, CacheSettings, Consumer)}, evaluating a
   * round's chunks on {@code threads} (which the caller closes).
   */
  public ShardEvaluator(DatasetSpec dataset, ModelSpec model, CacheSettings offHeap,
      Consumer<String> notes, EvaluationThreads threads) {
    this(dataset, model, Long.getLong(COMPILE_AFTER_PROPERTY, DEFAULT_COMPILE), offHeap, notes,
        threads);
  }

  /** The evaluator of the constructors above, compiling after {@code compileAfterSamples}. */
  public ShardEvaluator(DatasetSpec dataset, ModelSpec model, long compileAfterSamples,
      CacheSettings offHeap, Consumer<String> notes) {
    this(dataset, model, compileAfterSamples, offHeap, notes, EvaluationThreads.ONE);
  }

  /**
   * The evaluator of the constructors above, compiling after {@code compileAfterSamples} and
   * evaluating on {@code threads}: the same bits for any number of threads.
   */
  public ShardEvaluator(DatasetSpec dataset, ModelSpec model, long compileAfterSamples,
      CacheSettings offHeap, Consumer<String> notes, EvaluationThreads threads) {
    this.mapped = offHeap == null ? null
        : new MappedShard(dataset, offHeap, notes, BLOCK_SAMPLES, threads.count());
    this.dataset = dataset;
    this.chunks = new ShardChunks(dataset, mapped);
    this.heap = chunks.heap();
    this.modelSpec = model;
    this.model = createModel(model, dataset);
    this.compilation = new ModelCompilation(this.model, compileAfterSamples);
    this.sums = new ParallelSums(this.model, threads);
    this.batchEvaluation = new BatchEvaluation(dataset, compilation, sums);
    this.weighting = model.weighted() ? new ClassWeighting(model.classWeights()) : null;
    this.batchSource = mapped != null ? mapped.chunkByChunk() : heap;
  }

  /**
   * The model of {@code spec} for {@code dataset}'s features, as every worker builds it.
   *
   * @throws dev.tapetrain.spi.UserError if the model is unknown here or its settings do not fit
   */
  public static Model createModel(ModelSpec spec, DatasetSpec dataset) {
    return Models.create(spec.name(), dataset.features(), spec.classes(), spec.seed(),
        spec.settings());
  }

  /** The model this evaluator computes. */
  public Model model() {
    return model;
  }

  /**
   * Makes sure {@code wanted} are loaded (loading the missing ones in one pass). The first call
   * reads the data even if {@code wanted} is empty, so the digest is always what this machine
   * holds, never the specification's own.
   *
   * @return the digest of the data read
   * @throws DataException if the data cannot be read or differ from the coordinator's
   * @throws IllegalArgumentException for a chunk outside the dataset
   */
  public String ensureLoaded(Collection<Integer> wanted) {
    return chunks.ensureLoaded(wanted);
  }

  /**
   * What the last {@link #ensureLoaded} read (rows, files or the column cache, bytes), or null
   * if it loaded nothing.
   */
  public ShardLoader.Reads lastReads() {
    return chunks.lastReads();
  }

  /** Whether this evaluator computes {@code m} on {@code d} (so its chunks can be reused). */
  public boolean serves(DatasetSpec d, ModelSpec m) {
    return dataset.equals(d) && modelSpec.equals(m);
  }

  /** The chunks held (in memory, or in the column cache). */
  public java.util.Set<Integer> loadedChunks() {
    return chunks.chunks();
  }

  /**
   * The answer to a step: each of {@code wanted} evaluated at {@code params}, added into the
   * largest complete nodes of the {@link ChunkTree} (in the tree's order), so a worker sends a
   * few partial sums instead of one result per chunk.
   */
  public List<ChunkResult> evaluateTree(List<NamedTensor> params, List<Integer> wanted) {
    return ChunkTree.aggregate(evaluateRows(params, wanted), dataset.numChunks());
  }

  /**
   * Says that at most {@code rounds} evaluations like the next one follow it (the coordinator's
   * word, 0: none): with the default schedule the model then compiles at once when that work
   * would pass the compile thresholds anyway. Changes the time only, never a result.
   */
  public void expectRounds(long rounds) {
    compilation.expectRounds(rounds);
  }

  /**
   * Starts compiling the loop of {@code spec}'s model for {@code dataset} before any worker of
   * this JVM has its shard (local-runner, while its actor system starts), when {@code rounds}
   * rounds of {@code samples} a worker are worth it: the workers then find the loop among the
   * JVM's loops ({@link ModelCompilation#compileAhead}).
   *
   * @return the compile under way, or null if none was started
   */
  public static Future<?> compileAhead(DatasetSpec dataset, ModelSpec spec, long rounds,
      long samples) {
    Model model = createModel(spec, dataset);
    return new ModelCompilation(model, Long.getLong(COMPILE_AFTER_PROPERTY, DEFAULT_COMPILE))
        .compileAhead(rounds, samples, dataset.features());
  }

  /**
   * Says that a shard of {@code samples} was assigned for at most {@code rounds} rounds, before
   * it loads: the model may compile meanwhile ({@link ModelCompilation#compileAhead}).
   */
  public Future<?> compileAhead(long rounds, long samples) {
    return compilation.compileAhead(rounds, samples, dataset.features());
  }

  /**
   * As {@link #evaluateTree(List, List)}, each chunk's sums over its members of {@code batch}
   * only (null: over all its samples), see {@link BatchEvaluation}.
   */
  public List<ChunkResult> evaluateTree(List<NamedTensor> params, List<Integer> wanted,
      Batch batch) {
    // Class weights weigh the training samples (the orders from sample 0), never validation.
    boolean weighted = weighting != null && (batch == null || batch.offset() == 0);
    if (batch == null && !weighted) {
      return evaluateTree(params, wanted);
    }
    boolean fullPass = batch == null;
    if (fullPass) {
      batch = Batch.all(0, dataset.examples()); // every sample of each chunk, by selection
    }
    int n = wanted.size();
    ids = ChunkRuns.ids(wanted, ids);
    if (!ShardBlocks.ascending(ids, n)) {
      wanted = ShardBlocks.ascending(wanted);
      n = wanted.size();
      ids = ChunkRuns.ids(wanted, ids);
    }
    if (!chunks.holdsAll(ids, n)) {
      ensureLoaded(wanted);
    }
    if (wanted.isEmpty()) {
      return List.of();
    }
    ChunkRows rows = batchEvaluation.rows(batch, wanted, ids, batchSource, params,
        values(params), weighted ? weighting : null);
    // A mini-batch's nodes may span chunks it does not touch (the coordinator plans the same
    // members); a full pass touches every chunk, so its nodes are the plain ones.
    return fullPass ? ChunkTree.aggregate(rows, dataset.numChunks())
        : ChunkTree.aggregate(rows, dataset.numChunks(), batchEvaluation.touched(),
            batchEvaluation.touchedCount());
  }

  /** Evaluates each of {@code wanted} (loaded first if needed) at {@code params}, chunk by chunk. */
  public List<ChunkResult> evaluate(List<NamedTensor> params, List<Integer> wanted) {
    ChunkRows rows = evaluateRows(params, wanted);
    List<ChunkResult> results = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      results.add(rows.result(i, 1));
    }
    return results;
  }

  /** Each of {@code wanted} evaluated at {@code params}, one row per chunk in chunk order. */
  private ChunkRows evaluateRows(List<NamedTensor> params, List<Integer> wanted) {
    if (!blockKey.equals(wanted)) { // ChunkRuns' equals: no id boxed
      wanted = ShardBlocks.ascending(wanted);
      ensureLoaded(wanted);
    }
    if (wanted.isEmpty()) {
      return new ChunkRows(List.of(), 0, 0);
    }
    List<double[]> values = values(params);
    List<Block> blocks = blocks(wanted);
    CompiledModel compiled = compiled(blocks, values);
    if (compiled != null) {
      return sums.blocks(compiled, blocks, wanted.size(), mapped, params, values);
    }
    List<Integer> chunks = wanted;
    return compilation.eager(() -> sums.eager(chunks, mapped != null
        ? (k, lane) -> mapped.chunk(chunks.get(k), lane)
        : (k, lane) -> heap.segment(chunks.get(k)), chunks::get, params, values));
  }

  /** The compiled sums if the model runs compiled by now, else null ({@link ModelCompilation}). */
  private CompiledModel compiled(List<Block> blocks, List<double[]> values) {
    if (compilation.settled()) {
      return compilation.current(); // nothing more to count or to try
    }
    long samples = 0;
    Block example = null;
    for (Block block : blocks) {
      samples += block.total;
      if (example == null && block.total >= 3) {
        example = block;
      }
    }
    if (example == null) {
      return compilation.compiled(samples, null, 0, 0, values);
    }
    return mapped != null
        ? compilation.compiled(samples, mapped.view(example.chunks, example.lengths, 0), 0,
            example.total, values)
        : compilation.compiled(samples, example.segment, example.from, example.total, values);
  }

  /**
   * The coordinator's parameter values in the model's order, checked against its layout (a
   * worker must never evaluate values meant for another model).
   */
  private List<double[]> values(List<NamedTensor> params) {
    List<Parameter> layout = model.parameters();
    if (params.size() != layout.size()) {
      throw new IllegalArgumentException("the model has " + layout.size()
          + " parameters, got " + params.size() + " values");
    }
    ArrayList<double[]> out = values; // reused: read only during the round
    out.clear();
    for (int i = 0; i < params.size(); i++) {
      Parameter spec = layout.get(i);
      NamedTensor v = params.get(i);
      if (!spec.name().equals(v.name()) || !Arrays.equals(spec.shape(), v.shape())) {
        throw new IllegalArgumentException("parameter " + i + " is " + spec + ", got " + v);
      }
      out.add(v.values());
    }
    return out;
  }

  /**
   * At most this many samples go through one compiled run: small chunks share a call, while the
   * block's samples stay in a core's L2. Measured here when the block was also an eager tape run
   * (1M samples, 512 KiB L2): 4096 → 8192 took a pass from 6.7–7.2 ms to 4.8–5.2 ms; 16384 was
   * slower again.
   */
  static final int BLOCK_SAMPLES = 8192;

  /**
   * After this many samples have gone through the tape eagerly, the model's sums are compiled
   * into one loop ({@link CompiledModel#compile}): bit-identical results, 2–2.5× faster per
   * sample here, for a one-time cost of ≈ 0.35 s the first time in a JVM (loading Janino) and
   * ≈ 0.03 s after. Small jobs, such as the tutorial's 200 steps of 1000 samples, never pay it.
   */
  static final long COMPILE_AFTER_SAMPLES = 1L << 20;

  /** JVM system property that overrides {@link #COMPILE_AFTER_SAMPLES} (0: at once). */
  public static final String COMPILE_AFTER_PROPERTY = "tapetrain.compileAfterSamples";

  /**
   * The default: a loop compiled ahead of time ({@code PrecompiledLoop}) from the first
   * evaluation, a loop that needs Janino after {@link #COMPILE_AFTER_SAMPLES}. An explicit
   * threshold (the constructor's, or the property's) applies to both.
   */
  static final long DEFAULT_COMPILE = -1;

  /** Whether evaluation now runs the compiled loop. */
  boolean isCompiled() {
    return compilation.current() != null;
  }

  // The chunk list rarely changes between steps, so its blocks are built once and reused.
  private ChunkRuns blockKey = ChunkRuns.of(List.of());
  private List<Block> blockCache = List.of();

  /**
   * {@code wanted} cut into blocks: runs of chunks that follow each other in one segment, up to
   * {@link #BLOCK_SAMPLES} samples each (a single chunk may be larger).
   */
  private List<Block> blocks(List<Integer> wanted) {
    if (blockKey.equals(wanted)) { // ChunkRuns' equals: no id boxed
      return blockCache;
    }
    List<Block> out = ShardBlocks.of(wanted, dataset, mapped != null ? null : heap::segment,
        BLOCK_SAMPLES);
    blockKey = ChunkRuns.of(wanted); // compared every step: by its runs, not id by id
    blockCache = out;
    return out;
  }
}
