package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelGradients;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.tape.Tensor;
import dev.tapetrain.worker.shard.ShardBlocks.Block;
import java.util.Arrays;
import java.util.List;

/**
 * A round's per-chunk sums, one row per chunk in chunk order, computed on the worker's
 * {@link EvaluationThreads}. Every chunk's row is computed exactly as on one thread (the same
 * code on the same samples, by the compiled loop or by the tape), each task writing only its own
 * chunks' rows; the rows are then added by the chunk tree in its fixed order, after every task
 * has ended. So the bits depend on neither the number of threads nor which thread ran what.
 *
 * <p>The compiled loop writes straight into the round's rows and reads the samples in place (on
 * the heap) or from its lane's scratch (off the heap); the flattened parameters and the row
 * offsets are reused from round to round.
 */
final class ParallelSums {

  /** Where the tape reads chunk {@code k} of a round, on lane {@code lane}. */
  @FunctionalInterface
  interface ChunkSource {
    /** The segment that holds chunk {@code k} (copied into {@code lane}'s scratch if needed). */
    Segment segment(int k, int lane);
  }

  /** The index of chunk {@code k} of a round in its segment ({@link Segment#start}). */
  @FunctionalInterface
  interface ChunkKey {
    int of(int k);
  }

  private final Model model;
  private final EvaluationThreads threads;
  private double[] flat = new double[0];
  private int[] firstRow = new int[0];
  private int[] bounds = new int[0];
  // The rows of the last round, refilled by the next: a round's rows are spent (added along the
  // chunk tree, copied into the answer) before the next round starts.
  private ChunkRows reused;

  ParallelSums(Model model, EvaluationThreads threads) {
    this.model = model;
    this.threads = threads;
  }

  /**
   * A full pass by the compiled loop, one task per block: the rows of {@code chunks} chunks
   * in {@code blocks} (in order), read on the heap, or from {@code mapped} when it is not null.
   */
  ChunkRows blocks(CompiledModel compiled, List<Block> blocks, int chunks, MappedShard mapped,
      List<NamedTensor> params, List<double[]> values) {
    ChunkRows rows = rows(params, compiled.metricCount(), chunks);
    if (firstRow.length < blocks.size()) {
      firstRow = new int[blocks.size()];
    }
    int[] at = firstRow;
    for (int b = 0; b < blocks.size(); b++) {
      Block block = blocks.get(b);
      for (int k = 0; k < block.chunks.length; k++) {
        int row = rows.addRow(block.chunks[k], block.lengths[k]);
        if (k == 0) {
          at[b] = row;
        }
      }
    }
    double[] p = flat(compiled, values);
    double[] out = rows.values(); // every row is added: the storage no longer moves
    BlockTask task = blockTask;
    task.set(compiled, blocks, mapped, p, values, out);
    try {
      threads.run(blocks.size(), task);
    } finally {
      task.set(null, null, null, null, null, null);
    }
    return rows;
  }

  /**
   * The compiled loop over consecutive ranges of samples: range {@code k} of {@code columns}
   * (features' arrays, then targets') is {@code [starts[k], starts[k + 1])}, reported as chunk
   * {@code ids[k]}, for {@code k < n}; the ranges are shared out in one contiguous part per
   * thread, of about equal samples.
   *
   * @param lengths {@code lengths[k]} is range {@code k}'s length (this array, {@code starts}
   *                and {@code ids} may be longer)
   */
  ChunkRows ranges(CompiledModel compiled, double[][] columns, int[] starts, int[] lengths,
      int[] ids, int n, List<NamedTensor> params, List<double[]> values) {
    ChunkRows rows = rows(params, compiled.metricCount(), n);
    for (int k = 0; k < n; k++) {
      rows.addRow(ids[k], lengths[k]);
    }
    int parts = Math.min(threads.count(), n);
    if (bounds.length < parts + 1) {
      bounds = new int[parts + 1];
    }
    int[] b = bounds;
    long total = starts[n];
    int k = 0;
    for (int part = 0; part < parts; part++) {
      long begin = total * part / parts;
      while (k < n && starts[k] < begin) {
        k++;
      }
      b[part] = k;
    }
    b[parts] = n;
    double[] p = flat(compiled, values);
    double[] out = rows.values();
    int width = rows.width();
    RangeTask task = rangeTask;
    task.set(compiled, columns, starts, lengths, p, values, out, width);
    try {
      threads.run(parts, task);
    } finally {
      task.set(null, null, null, null, null, null, null, 0);
    }
    return rows;
  }

  /**
   * The tape, one task per chunk: chunk {@code k} of the round is chunk {@code key.of(k)} of
   * {@code source}'s segment, reported as {@code ids.get(k)}.
   */
  ChunkRows eager(List<Integer> ids, ChunkSource source, ChunkKey key,
      List<NamedTensor> params, List<double[]> values) {
    int n = ids.size();
    ModelGradients.Sums[] sums = new ModelGradients.Sums[n];
    int[] counts = new int[n];
    threads.run(n, (k, lane) -> {
      Segment seg = source.segment(k, lane);
      int c = key.of(k);
      Tensor y = Tensor.view(Arrays.copyOfRange(seg.y(), seg.start(c), seg.start(c)
          + seg.length(c)));
      sums[k] = ModelGradients.of(model, values, rows(seg, c), y);
      counts[k] = seg.length(c);
    });
    ChunkRows rows = null;
    for (int k = 0; k < n; k++) {
      if (rows == null) {
        rows = rows(params, sums[k].metricSums().length, n);
      }
      rows.add(ids.get(k), counts[k], row(rows, sums[k]));
    }
    return rows;
  }

  /**
   * A full pass's task, block {@code b} on lane {@code lane}: one object reused from round to
   * round (set before the run, which publishes it to the lanes, cleared after), not a lambda
   * capturing the round's arrays each round.
   */
  private final class BlockTask implements EvaluationThreads.Task {
    private CompiledModel compiled;
    private List<Block> blocks;
    private MappedShard mapped;
    private double[] p;
    private List<double[]> values;
    private double[] out;

    void set(CompiledModel compiled, List<Block> blocks, MappedShard mapped, double[] p,
        List<double[]> values, double[] out) {
      this.compiled = compiled;
      this.blocks = blocks;
      this.mapped = mapped;
      this.p = p;
      this.values = values;
      this.out = out;
    }

    @Override
    public void run(int b, int lane) {
      Block block = blocks.get(b);
      double[][] columns = mapped != null ? mapped.copy(block.chunks[0], block.total, lane)
          : block.columns;
      compiled.segmentSums(columns, mapped != null ? 0 : block.from, block.lengths, 0,
          block.lengths.length, p, values, out, firstRow[b]);
    }
  }

  /** A mini-batch's task, part {@code part} of {@link #bounds}: reused as {@link BlockTask}. */
  private final class RangeTask implements EvaluationThreads.Task {
    private CompiledModel compiled;
    private double[][] columns;
    private int[] starts;
    private int[] lengths;
    private double[] p;
    private List<double[]> values;
    private double[] out;
    private int width;

    void set(CompiledModel compiled, double[][] columns, int[] starts, int[] lengths,
        double[] p, List<double[]> values, double[] out, int width) {
      this.compiled = compiled;
      this.columns = columns;
      this.starts = starts;
      this.lengths = lengths;
      this.p = p;
      this.values = values;
      this.out = out;
      this.width = width;
    }

    @Override
    public void run(int part, int lane) {
      int[] b = bounds;
      compiled.segmentSums(columns, starts[b[part]], lengths, b[part], b[part + 1], p, values,
          out, b[part] * width);
    }
  }

  private final BlockTask blockTask = new BlockTask();
  private final RangeTask rangeTask = new RangeTask();

  /** Empty rows for {@code params}' layout and {@code metrics} metric sums, reused if they fit. */
  private ChunkRows rows(List<NamedTensor> params, int metrics, int capacity) {
    int width = 1 + metrics;
    for (int i = 0; i < params.size(); i++) { // no iterator: called every round
      width += params.get(i).size();
    }
    if (reused == null || reused.metrics() != metrics || reused.width() != width) {
      reused = new ChunkRows(params, metrics, capacity);
    }
    reused.clear();
    return reused;
  }

  /** The parameters flattened into the array reused from round to round. */
  private double[] flat(CompiledModel compiled, List<double[]> values) {
    if (flat.length != compiled.parameterValues()) {
      flat = new double[compiled.parameterValues()];
    }
    compiled.flatten(values, flat);
    return flat;
  }

  /** One chunk's sums as a row: loss, each gradient, the metrics. */
  private static double[] row(ChunkRows rows, ModelGradients.Sums s) {
    double[] row = new double[rows.width()];
    row[0] = s.lossSum();
    int at = 1;
    for (double[] g : s.gradients()) {
      System.arraycopy(g, 0, row, at, g.length);
      at += g.length;
    }
    System.arraycopy(s.metricSums(), 0, row, at, s.metricSums().length);
    return row;
  }

  /** Chunk {@code c} as an {@code [n, f]} row-major matrix (made for one evaluation). */
  static Tensor rows(Segment seg, int c) {
    int n = seg.length(c);
    int f = seg.x().length;
    int from = seg.start(c);
    double[] rows = new double[n * f];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) {
        rows[i * f + j] = seg.x()[j][from + i];
      }
    }
    return Tensor.viewMatrix(n, f, rows);
  }
}
