package dev.tapetrain.worker.model;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.data.Chunk;
import dev.tapetrain.worker.data.ShardLoader;
import dev.tapetrain.worker.tape.CompiledFunction;
import dev.tapetrain.worker.tape.NotCompilableException;
import dev.tapetrain.worker.tape.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's chunks and the evaluation of the model on them. Each chunk is evaluated on its own
 * (its result depends only on the parameters and the chunk's samples), which is what makes the
 * reduced result independent of how chunks are spread over workers. The tape runs eagerly at
 * first and compiled once enough samples have gone through it; both give the same bits.
 */
public final class ShardEvaluator {

  private static final Logger LOG = LoggerFactory.getLogger(ShardEvaluator.class);

  private final DatasetSpec dataset;
  private final Map<Integer, Tensor[]> chunks = new HashMap<>();
  private final LinearModel model;
  private final long compileAfterSamples;

  /**
   * An evaluator of {@code dataset} holding no chunks yet, compiling after
   * {@link #COMPILE_AFTER_SAMPLES} (or the system property {@value #COMPILE_AFTER_PROPERTY}).
   */
  public ShardEvaluator(DatasetSpec dataset) {
    this(dataset, Long.getLong(COMPILE_AFTER_PROPERTY, COMPILE_AFTER_SAMPLES));
  }

  /**
   * An evaluator that compiles the model's sums once {@code compileAfterSamples} samples have been
   * evaluated eagerly (0: at the first evaluation; {@link Long#MAX_VALUE}: never).
   */
  public ShardEvaluator(DatasetSpec dataset, long compileAfterSamples) {
    this.dataset = dataset;
    this.model = new LinearModel(dataset.features());
    this.compileAfterSamples = compileAfterSamples;
  }

  /** The dataset this evaluator reads. */
  public DatasetSpec dataset() {
    return dataset;
  }

  /**
   * Makes sure {@code wanted} are loaded (loading the missing ones in one pass).
   *
   * @return the digest of the data read
   * @throws DataException if the data cannot be read or differ from the coordinator's
   */
  public String ensureLoaded(Collection<Integer> wanted) {
    List<Integer> missing = new ArrayList<>();
    for (int c : wanted) {
      if (c < 0 || c >= dataset.numChunks()) {
        throw new IllegalArgumentException("chunk " + c + " is not in 0.." + (dataset.numChunks() - 1));
      }
      if (!chunks.containsKey(c)) {
        missing.add(c);
      }
    }
    if (missing.isEmpty()) {
      return ShardLoader.digestOf(dataset);
    }
    ShardLoader.Loaded loaded = ShardLoader.load(dataset, missing);
    for (Chunk c : loaded.chunks().values()) {
      chunks.put(c.index(), new Tensor[] {inputs(c), Tensor.vector(c.y())});
    }
    return loaded.digest();
  }

  /** One feature: the samples as a vector; several: an {@code [n, f]} row-major matrix. */
  private static Tensor inputs(Chunk c) {
    int f = c.x().length;
    if (f == 1) {
      return Tensor.vector(c.x()[0]);
    }
    int n = c.size();
    double[] rows = new double[n * f];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) {
        rows[i * f + j] = c.x()[j][i];
      }
    }
    return Tensor.matrix(n, f, rows);
  }

  /** Evaluates each of {@code wanted} (loaded first if needed) at {@code params}. */
  public List<ChunkResult> evaluate(List<NamedTensor> params, List<Integer> wanted) {
    if (!wanted.equals(blockKey)) {
      ensureLoaded(wanted);
    }
    model.setParameters(params);
    List<ChunkResult> results = new ArrayList<>(wanted.size());
    if (dataset.features() == 1) {
      List<Block> blocks = blocks(wanted);
      CompiledFunction compiled = compiled(blocks);
      for (Block block : blocks) {
        List<LinearModel.Sums> sums = compiled != null
            ? model.segmentSums(compiled, block.xs, block.ys, block.lengths)
            : model.segmentSums(block.x(), block.y(), block.lengths);
        for (int s = 0; s < block.chunks.length; s++) {
          results.add(result(block.chunks[s], block.lengths[s], sums.get(s)));
        }
      }
      return results;
    }
    for (int c : wanted) {
      Tensor[] xy = chunks.get(c);
      results.add(result(c, xy[1].size(), model.sums(xy[0], xy[1])));
    }
    return results;
  }

  private static ChunkResult result(int chunk, int count, LinearModel.Sums s) {
    return new ChunkResult(chunk, count, s.lossSum(), List.of(
        new NamedTensor(LinearModel.W, s.gradW().shape(), s.gradW().toArray()),
        new NamedTensor(LinearModel.B, new int[0], s.gradB().toArray())));
  }

  /**
   * At most this many samples go through one tape run: small chunks share a run (less per-op and
   * per-tape overhead), while a run's intermediates (about eight vectors of 64 KiB) stay in a
   * core's L2. Measured here (1M samples, 512 KiB L2): 4096 → 8192 took a pass from 6.7–7.2 ms to
   * 4.8–5.2 ms; 16384 was slower again.
   */
  static final int BLOCK_SAMPLES = 8192;

  /**
   * After this many samples have gone through the tape eagerly, the model's sums are compiled
   * into one loop ({@link LinearModel#compileSums}): bit-identical results, 2–2.5× faster per
   * sample here, for a one-time cost of ≈ 0.35 s the first time in a JVM (loading Janino) and
   * ≈ 0.03 s after. Small jobs, such as the tutorial's 200 steps of 1000 samples, never pay it.
   */
  static final long COMPILE_AFTER_SAMPLES = 1L << 20;

  /** JVM system property that overrides {@link #COMPILE_AFTER_SAMPLES} (0: at once). */
  public static final String COMPILE_AFTER_PROPERTY = "tapetrain.compileAfterSamples";

  private CompiledFunction compiled;
  private boolean compileTried;
  private long eagerSamples;

  /** The compiled sums once they are worth compiling, or null to run the tape eagerly. */
  private CompiledFunction compiled(List<Block> blocks) {
    if (compiled != null || compileTried) {
      return compiled;
    }
    for (Block block : blocks) {
      eagerSamples += block.xs.length;
    }
    if (eagerSamples < compileAfterSamples) {
      return null;
    }
    Block example = blocks.stream().filter(b -> b.xs.length >= 3).findFirst().orElse(null);
    if (example == null) {
      return null;
    }
    compileTried = true;
    try {
      compiled = model.compileSums(example.xs, example.ys);
      LOG.info("compiled the tape's loss and gradients into one loop after {} samples",
          eagerSamples);
    } catch (NotCompilableException | RuntimeException e) {
      // The eager tape computes the same bits, only slower: keep training with it.
      LOG.warn("running the tape eagerly: cannot compile the model's sums: {}", e.toString());
    }
    return compiled;
  }

  /** Whether evaluation now runs the compiled loop. */
  boolean isCompiled() {
    return compiled != null;
  }

  /**
   * Consecutive chunks laid end to end for one tape run. The compiled loop reads the arrays; the
   * eager tape needs tensors, which copy them, so those are made only if the eager tape runs.
   */
  private static final class Block {
    final int[] chunks;
    final int[] lengths;
    final double[] xs;
    final double[] ys;
    private Tensor x;
    private Tensor y;

    Block(int[] chunks, int[] lengths, double[] xs, double[] ys) {
      this.chunks = chunks;
      this.lengths = lengths;
      this.xs = xs;
      this.ys = ys;
    }

    Tensor x() {
      if (x == null) {
        x = Tensor.vector(xs);
      }
      return x;
    }

    Tensor y() {
      if (y == null) {
        y = Tensor.vector(ys);
      }
      return y;
    }
  }

  // The chunk list rarely changes between steps, so its blocks are built once and reused.
  private List<Integer> blockKey = List.of();
  private List<Block> blockCache = List.of();

  private List<Block> blocks(List<Integer> wanted) {
    if (wanted.equals(blockKey)) {
      return blockCache;
    }
    List<Block> out = new ArrayList<>();
    int i = 0;
    while (i < wanted.size()) {
      int j = i;
      int samples = 0;
      while (j < wanted.size() && (j == i
          || samples + chunks.get(wanted.get(j))[1].size() <= BLOCK_SAMPLES)) {
        samples += chunks.get(wanted.get(j))[1].size();
        j++;
      }
      int[] ids = new int[j - i];
      int[] lengths = new int[j - i];
      double[] x = new double[samples];
      double[] y = new double[samples];
      int at = 0;
      for (int k = i; k < j; k++) {
        Tensor[] xy = chunks.get(wanted.get(k));
        ids[k - i] = wanted.get(k);
        lengths[k - i] = xy[1].size();
        System.arraycopy(xy[0].toArray(), 0, x, at, lengths[k - i]);
        System.arraycopy(xy[1].toArray(), 0, y, at, lengths[k - i]);
        at += lengths[k - i];
      }
      out.add(new Block(ids, lengths, x, y));
      i = j;
    }
    blockKey = List.copyOf(wanted);
    blockCache = out;
    return out;
  }
}
