package dev.tapetrain.protocol;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One worker's per-chunk sums for a round, packed: chunk {@code i} of the rows has an index, a
 * sample count and a row of {@link #width()} doubles, {@code [lossSum, each parameter's gradient
 * values in layout order, each metric sum]}. A worker fills the rows while it evaluates and
 * {@link ChunkTree#aggregate(ChunkRows, int)} adds them into the few tree nodes it sends, so no
 * object is made per chunk (a million samples are 977 chunks of 1024).
 *
 * <p>Order of use: {@link #ChunkRows(List, int, int)} with the parameters' layout; {@link #add}
 * (or {@link #addRow} and write the row in place) once per chunk, in ascending chunk order; then
 * {@link ChunkTree#aggregate(ChunkRows, int)}, which copies out what it returns; then the rows
 * may be {@link #clear}ed and filled again for the next evaluation, keeping their storage. Not
 * thread-safe, except that rows already added may be written in place by several threads, each
 * its own rows, between the adding and the aggregation.
 */
public final class ChunkRows {

  private final List<NamedTensor> layout;
  private final int metrics;
  private final int width;
  private int size;
  private int[] chunks;
  private long[] counts;
  private double[] values;
  // One array per parameter, of its size, that a result's gradient is staged in (reused).
  private double[][] staging;

  /**
   * Empty rows for a model whose gradients have {@code layout}'s names and shapes (the values of
   * {@code layout} are not read) and {@code metrics} metric sums.
   *
   * @param capacity the number of chunks expected (the rows grow past it)
   */
  public ChunkRows(List<NamedTensor> layout, int metrics, int capacity) {
    this.layout = List.copyOf(layout);
    this.metrics = metrics;
    int w = 1 + metrics;
    for (NamedTensor t : layout) {
      w += t.size();
    }
    this.width = w;
    int cap = Math.max(1, capacity);
    this.chunks = new int[cap];
    this.counts = new long[cap];
    this.values = new double[cap * width];
  }

  /** The rows of {@code results} (single chunks, any order), sorted by chunk. */
  public static ChunkRows of(List<ChunkResult> results) {
    if (results.isEmpty()) {
      return new ChunkRows(List.of(), 0, 0);
    }
    ChunkResult first = results.get(0);
    List<ChunkResult> sorted = new ArrayList<>(results);
    sorted.sort((a, b) -> Integer.compare(a.chunk(), b.chunk()));
    ChunkRows rows = new ChunkRows(first.gradients(), first.metricSums().size(), results.size());
    for (ChunkResult r : sorted) {
      if (r.span() != 1) {
        throw new IllegalArgumentException("rows hold single chunks, got a span of " + r.span());
      }
      double[] metrics = new double[r.metricSums().size()];
      for (int m = 0; m < metrics.length; m++) {
        metrics[m] = r.metricSums().get(m);
      }
      rows.add(r.chunk(), r.count(), r.lossSum(), r.gradients(), metrics);
    }
    return rows;
  }

  /**
   * Appends chunk {@code chunk} with {@code count} samples and returns the offset of its row in
   * {@link #values()}, for the caller to write {@link #width()} values there.
   *
   * @throws IllegalArgumentException if {@code chunk} does not follow the last chunk added
   */
  public int addRow(int chunk, long count) {
    if (size > 0 && chunk <= chunks[size - 1]) {
      throw new IllegalArgumentException("chunks go in ascending order: " + chunk + " after "
          + chunks[size - 1]);
    }
    if (size == chunks.length) {
      int cap = size * 2;
      chunks = Arrays.copyOf(chunks, cap);
      counts = Arrays.copyOf(counts, cap);
      values = Arrays.copyOf(values, cap * width);
    }
    chunks[size] = chunk;
    counts[size] = count;
    return width * size++;
  }

  /**
   * Empties the rows, keeping their layout and storage, for another evaluation of the same
   * model (what {@link ChunkTree#aggregate(ChunkRows, int)} returned is a copy, unaffected).
   */
  public void clear() {
    size = 0;
  }

  /** Appends a chunk's sums given as a row of {@link #width()} values. */
  public void add(int chunk, long count, double[] row) {
    if (row.length != width) {
      throw new IllegalArgumentException("a row has " + width + " values, got " + row.length);
    }
    int at = addRow(chunk, count); // first: it may grow the arrays
    System.arraycopy(row, 0, values, at, width);
  }

  /**
   * Appends a chunk's sums given as its loss sum, its gradients (in the layout's order and
   * sizes) and its metric sums.
   *
   * @throws IllegalArgumentException if they do not fill exactly one row
   */
  public void add(int chunk, long count, double lossSum, List<NamedTensor> gradients,
      double[] metrics) {
    int n = 1 + metrics.length;
    for (NamedTensor g : gradients) {
      n += g.size();
    }
    if (n != width || gradients.size() != layout.size()) {
      throw new IllegalArgumentException("chunk " + chunk + " has " + n + " values in "
          + gradients.size() + " gradients, the rows' layout " + width + " in " + layout.size());
    }
    int at = addRow(chunk, count); // first: it may grow the arrays
    values[at++] = lossSum;
    for (NamedTensor g : gradients) {
      System.arraycopy(g.values(), 0, values, at, g.size());
      at += g.size();
    }
    System.arraycopy(metrics, 0, values, at, metrics.length);
  }

  /** The metric sums of a row, its last values. */
  public int metrics() {
    return metrics;
  }

  /** The number of chunks added. */
  public int size() {
    return size;
  }

  /** The values of a row: the loss sum, the gradients, the metric sums. */
  public int width() {
    return width;
  }

  /** The row storage: row {@code i} starts at {@code i * width()}. Written in place. */
  public double[] values() {
    return values;
  }

  /** The chunk of row {@code i}. */
  public int chunk(int i) {
    return chunks[i];
  }

  /** The chunks of the rows, ascending: the first {@link #size()} of this array (not a copy). */
  int[] chunkIds() {
    return chunks;
  }

  /** The sample count of row {@code i}. */
  public long count(int i) {
    return counts[i];
  }

  /**
   * Adds row {@code from} into row {@code into} ({@code into[k] = into[k] + from[k]}, counts
   * too): the one addition of the chunk tree, left operand first.
   */
  void addInto(int into, int from) {
    int a = into * width;
    int b = from * width;
    for (int k = 0; k < width; k++) {
      values[a + k] = values[a + k] + values[b + k];
    }
    counts[into] += counts[from];
  }

  /** Row {@code i} as the result of tree node {@code (chunk(i), span)}. */
  public ChunkResult result(int i, int span) {
    return result(i, chunks[i], span);
  }

  /** Row {@code i} as the result of tree node {@code (lo, span)}. */
  public ChunkResult result(int i, int lo, int span) {
    int at = i * width;
    double loss = values[at++];
    // Immutable lists, which ChunkResult keeps as they are instead of copying them again.
    NamedTensor[] grads = new NamedTensor[layout.size()];
    if (staging == null) {
      staging = new double[grads.length][];
      for (int p = 0; p < grads.length; p++) {
        staging[p] = new double[layout.get(p).size()];
      }
    }
    for (int p = 0; p < grads.length; p++) {
      NamedTensor t = layout.get(p);
      // NamedTensor copies the array it is given: staged here, the values are copied once.
      System.arraycopy(values, at, staging[p], 0, t.size());
      grads[p] = new NamedTensor(t.name(), t.shape(), staging[p]);
      at += t.size();
    }
    Double[] m = new Double[metrics];
    for (int k = 0; k < metrics; k++) {
      m[k] = values[at++];
    }
    return new ChunkResult(lo, counts[i], loss, List.of(grads), List.of(m), span);
  }
}
