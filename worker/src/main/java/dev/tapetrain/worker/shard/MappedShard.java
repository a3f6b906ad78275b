package dev.tapetrain.worker.shard;

import dev.tapetrain.data.DataException;
import dev.tapetrain.data.Segment;
import dev.tapetrain.data.ShardLoader;
import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.data.cache.ColumnCache;
import dev.tapetrain.data.cache.MappedColumns;
import dev.tapetrain.protocol.DatasetSpec;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A worker's chunks in the column cache instead of the heap: the values stay in the mapped file
 * (the OS page cache) and each block is copied, bit for bit, into scratch arrays reused from
 * step to step, so the heap holds one block (or one chunk, if larger) per evaluation thread
 * whatever the share. The evaluation then reads the scratch exactly as it reads a segment on
 * the heap.
 *
 * <p>Use: {@link #load} the chunks (opens or builds the cache, checks their blocks' checksums,
 * rebuilds a damaged file), then {@link #copy} or {@link #view} a block or {@link #chunk} a
 * chunk into a lane's scratch before reading it; a lane's scratch is valid until its next copy.
 * Each lane ({@link EvaluationThreads}) has scratch of its own, made when it is first used;
 * copies into different lanes may run at once, reading the mapped files only.
 */
final class MappedShard {

  private final DatasetSpec dataset;
  private final CacheSettings settings;
  private final Consumer<String> notes;
  private final Set<Integer> loaded = new TreeSet<>();
  // The same chunks, asked every mini-batch round without boxing them.
  private final java.util.BitSet held = new java.util.BitSet();
  private final int capacity;
  // Per lane: the features' arrays, then the targets'; null until the lane is first used.
  private final double[][][] scratch;
  // The source's entry; with --validation-data the validation data's own entry, whose row r
  // is the dataset's sample trainingRows + r (DatasetSpec numbers them after the source's).
  private MappedColumns training;
  private MappedColumns validation;
  private final long trainingRows;
  private ShardLoader.Reads lastReads;

  MappedShard(DatasetSpec dataset, CacheSettings settings, Consumer<String> notes,
      int blockSamples, int lanes) {
    this.dataset = dataset;
    this.settings = settings;
    this.notes = notes;
    this.trainingRows = dataset.source().examples();
    // Every chunk but the last has the chunk size: the scratch holds a block or one chunk.
    this.capacity = Math.max((int) Math.min(blockSamples, dataset.examples()),
        dataset.chunkLength(0));
    this.scratch = new double[lanes][][];
  }

  /**
   * Makes {@code chunks} readable: the cache is opened (built by the first run that needs it),
   * their blocks checked; a damaged file is built again.
   *
   * @return the digest of the data the cache was built from
   * @throws DataException in one line if the cache cannot be built or used
   */
  String load(Collection<Integer> chunks) {
    if (training == null) {
      training = ColumnCache.open(settings, dataset.training(), notes);
      if (dataset.validation() != null) {
        validation = ColumnCache.open(settings, dataset.validationPart(), notes);
      }
    }
    long bytes;
    try {
      bytes = verify(chunks);
    } catch (MappedColumns.CorruptCacheException e) {
      if (validation != null && e.file().equals(validation.file())) {
        validation = ColumnCache.rebuild(validation, dataset.validationPart(), e.getMessage(),
            notes);
      } else {
        training = ColumnCache.rebuild(training, dataset.training(), e.getMessage(), notes);
      }
      bytes = verify(loaded) + verify(chunks);
    }
    String digest = validation == null ? training.digest()
        : training.digest() + "+" + validation.digest();
    if (!digest.equals(dataset.digest())) {
      throw new DataException(training.file() + ": the column cache holds data of digest "
          + digest + ", not " + dataset.digest());
    }
    long rows = 0;
    for (int c : chunks) {
      held.set(c);
      rows += loaded.add(c) ? dataset.chunkLength(c) : 0;
    }
    lastReads = new ShardLoader.Reads(rows, 0, bytes, training.file().toString());
    return digest;
  }

  /** What the last {@link #load} read from the cache (its blocks checked for the first time). */
  ShardLoader.Reads lastReads() {
    return lastReads;
  }

  /** Checks the chunks' blocks; returns the bytes read to check them (blocks not seen before). */
  private long verify(Collection<Integer> chunks) {
    long bytes = 0;
    for (int c : chunks) {
      long from = dataset.chunkStart(c);
      long to = from + dataset.chunkLength(c);
      bytes += from < trainingRows ? training.verify(from, to)
          : validation.verify(from - trainingRows, to - trainingRows);
    }
    return bytes;
  }

  /** Copies samples {@code [from, from + n)} of {@code column} into {@code dst[0 …]}. */
  private void copy(int column, long from, double[] dst, int n) {
    int first = (int) Math.max(0, Math.min(n, trainingRows - from));
    if (first > 0) {
      training.copy(column, from, dst, 0, first);
    }
    if (first < n) {
      validation.copy(column, from + first - trainingRows, dst, first, n - first);
    }
  }

  /** The chunks loaded. */
  Set<Integer> loadedChunks() {
    return Collections.unmodifiableSet(loaded);
  }

  /** Whether {@code chunk} is loaded. */
  boolean holds(int chunk) {
    return chunk >= 0 && held.get(chunk);
  }

  /**
   * The {@code samples} samples from the first of chunk {@code firstChunk} on (consecutive
   * chunks) copied into lane {@code lane}'s scratch, from index 0: its columns, the features'
   * arrays then the targets'. Nothing is allocated once the lane has its scratch.
   */
  double[][] copy(int firstChunk, int samples, int lane) {
    double[][] columns = scratch[lane];
    if (columns == null) {
      columns = new double[dataset.features() + 1][capacity];
      scratch[lane] = columns;
    }
    long from = dataset.chunkStart(firstChunk);
    for (int f = 0; f < columns.length; f++) {
      copy(f, from, columns[f], samples);
    }
    return columns;
  }

  /**
   * The consecutive chunks {@code chunks} (their lengths {@code lengths}) copied into lane
   * {@code lane}'s scratch: a segment whose first chunk is {@code chunks[0]}, starting at 0.
   */
  Segment view(int[] chunks, int[] lengths, int lane) {
    int[] starts = new int[chunks.length + 1];
    for (int k = 0; k < chunks.length; k++) {
      starts[k + 1] = starts[k] + lengths[k];
    }
    double[][] columns = copy(chunks[0], starts[chunks.length], lane);
    int features = columns.length - 1;
    return new Segment(chunks[0], starts, java.util.Arrays.copyOf(columns, features),
        columns[features]);
  }

  /**
   * Chunk after chunk, each copied into lane 0's scratch (see {@link #copy}) when its arrays
   * are asked for: where a mini-batch round gathers its members from.
   */
  BatchEvaluation.ChunkColumns chunkByChunk() {
    return chunkByChunk;
  }

  private final BatchEvaluation.ChunkColumns chunkByChunk = new BatchEvaluation.ChunkColumns() {
    @Override
    public double[][] columns(int c) {
      return copy(c, dataset.chunkLength(c), 0);
    }

    @Override
    public int start(int c) {
      return 0;
    }
  };

  /** Chunk {@code c} alone copied into lane {@code lane}'s scratch (see {@link #view}). */
  Segment chunk(int c, int lane) {
    return view(new int[] {c}, new int[] {dataset.chunkLength(c)}, lane);
  }
}
