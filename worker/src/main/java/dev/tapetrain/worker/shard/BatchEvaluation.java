package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.BatchMembers;
import dev.tapetrain.protocol.EpochOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The sums of a mini-batch's members of a worker's chunks. The worker derives the members from
 * the batch's numbers ({@link EpochOrder}, the same order the coordinator planned with), copies
 * each chunk's members, in ascending sample order, into a segment of their own, and evaluates
 * that like any segment: by the compiled loop when the model runs compiled, else by the tape one
 * chunk at a time; both give the same bits. A chunk's sums then depend only on the chunk and
 * the batch, never on the worker or its threads ({@link ParallelSums}). The members, their
 * gathered arrays and the chunks' starts and lengths are reused from batch to batch (grown when
 * a batch needs more), so a compiled round allocates nothing here; only the tape, a
 * not-yet-compiled round and a class-weighted split make a segment of them.
 */
final class BatchEvaluation {

  /**
   * Where a round reads a chunk's samples: arrays of its features' values then its targets',
   * and the index in them of the chunk's first sample. On the heap, its segment's arrays; off
   * the heap, the chunk copied into scratch (so {@link #columns} comes first).
   */
  interface ChunkColumns {
    /** The arrays holding chunk {@code c} (features', then targets'). */
    double[][] columns(int c);

    /** The index of chunk {@code c}'s first sample in what {@link #columns} gave for it. */
    int start(int c);
  }

  private final DatasetSpec dataset;
  private final ModelCompilation compilation;
  private final ParallelSums sums;
  private final BatchMembers members = new BatchMembers();
  private Batch batch;
  // The gathered members, the features' arrays then the targets', and each chunk's start and
  // length; reused, so only their first samples and chunks are this batch's.
  private double[][] columns = new double[0][];
  private int[] starts = new int[1];
  private int[] lengths = new int[0];

  BatchEvaluation(DatasetSpec dataset, ModelCompilation compilation, ParallelSums sums) {
    this.dataset = dataset;
    this.compilation = compilation;
    this.sums = sums;
  }

  /**
   * One row per chunk of {@code wanted} (ascending, loaded, each with members of
   * {@code batch}; {@code ids}: the same chunks, its first {@code wanted.size()}): its members'
   * sums at {@code params} ({@code values}: their values), each member's loss times its class's
   * weight when {@code weighting} is not null.
   */
  ChunkRows rows(Batch batch, List<Integer> wanted, int[] ids, ChunkColumns holder,
      List<NamedTensor> params, List<double[]> values, ClassWeighting weighting) {
    // An epoch of many batches compiles at once rather than after many cold eager rounds.
    compilation.expectRounds(batch.samples() / Math.max(1, batch.count()));
    int n = wanted.size();
    gather(batch, ids, n, holder);
    if (weighting == null && compilation.current() != null) {
      // The steady state: the gathered arrays go to the loop as they are.
      return sums.ranges(compilation.current(), columns, starts, lengths, ids, n, params,
          values);
    }
    Segment gathered = new Segment(0, Arrays.copyOf(starts, n + 1),
        Arrays.copyOf(columns, dataset.features()), columns[dataset.features()]);
    if (weighting == null) {
      return sums(gathered, wanted, params, values);
    }
    ClassWeighting.Split split = weighting.split(gathered);
    List<Integer> groups = new java.util.ArrayList<>(split.owner().length);
    for (int g = 0; g < split.owner().length; g++) {
      groups.add(g);
    }
    ChunkRows rows = sums(split.segment(), groups, params, values);
    return weighting.combine(split, rows, wanted, params, rows.metrics());
  }

  /**
   * Every chunk the last batch given to {@link #rows} touches, on any worker, ascending: the
   * first {@link #touchedCount()} (a worker may pre-add its rows across the others: {@link
   * dev.tapetrain.protocol.ChunkTree#aggregate(ChunkRows, int, int[], int)}). Rewritten by the
   * next batch.
   */
  int[] touched() {
    return members.chunks();
  }

  /** The number of chunks in {@link #touched()}. */
  int touchedCount() {
    return members.chunkCount();
  }

  /** One row per chunk of {@code gathered}, whose chunk {@code k} is reported as ids[k]. */
  private ChunkRows sums(Segment gathered, List<Integer> wanted, List<NamedTensor> params,
      List<double[]> values) {
    int n = wanted.size();
    int total = gathered.starts()[n];
    CompiledModel compiled = compilation.settled() ? compilation.current()
        : compilation.compiled(total, total >= 3 ? gathered : null, 0, total, values);
    if (compiled != null) {
      double[][] columns = Arrays.copyOf(gathered.x(), gathered.x().length + 1);
      columns[gathered.x().length] = gathered.y();
      int[] lengths = new int[n];
      for (int k = 0; k < n; k++) {
        lengths[k] = gathered.length(k);
      }
      return sums.ranges(compiled, columns, gathered.starts(), lengths,
          dev.tapetrain.protocol.ChunkRuns.ids(wanted, new int[0]), n, params, values);
    }
    return compilation.eager(() -> sums.eager(wanted, (k, lane) -> gathered, k -> k, params,
        values));
  }

  /**
   * Copies the members of {@code batch} in chunks {@code ids[0, n)} (ascending), read from the
   * segments that hold them ({@code holder}), into the reused {@code columns}: chunk {@code k}'s
   * members in sample order from {@code starts[k]} on, {@code lengths[k]} of them.
   *
   * @throws IllegalArgumentException if the batch does not fit the dataset or has no member in
   *     one of the chunks (the coordinator asks only for chunks with members)
   */
  private void gather(Batch batch, int[] ids, int n, ChunkColumns holder) {
    if (batch.offset() + batch.samples() > dataset.examples()) {
      throw new IllegalArgumentException("batch of samples " + batch.offset() + " .. "
          + (batch.offset() + batch.samples() - 1) + " for a dataset of " + dataset.examples());
    }
    if (!batch.equals(this.batch)) {
      members.of(batch, dataset);
      this.batch = batch;
    }
    if (starts.length < n + 1) {
      starts = new int[Math.max(n + 1, 2 * starts.length)];
      lengths = new int[starts.length];
    }
    for (int k = 0; k < n; k++) {
      int m = of(ids[k]);
      lengths[k] = members.from(m + 1) - members.from(m);
      starts[k + 1] = starts[k] + lengths[k];
    }
    int features = dataset.features();
    if (columns.length == 0 || columns[0].length < starts[n]) {
      columns = new double[features + 1][Math.max(starts[n], columns.length == 0 ? 0
          : columns[0].length * 2)];
    }
    double[][] x = columns;
    double[] y = columns[features];
    int[] samples = members.samples();
    for (int k = 0; k < n; k++) {
      int c = ids[k];
      double[][] src = holder.columns(c);
      double[] srcY = src[features];
      // Where sample 0 would sit in the chunk's arrays, by chunk c's position.
      int base = holder.start(c) - (int) dataset.chunkStart(c);
      int at = starts[k];
      int m = of(c);
      for (int s = members.from(m); s < members.from(m + 1); s++) {
        int i = samples[s];
        for (int f = 0; f < features; f++) {
          x[f][at] = src[f][base + i];
        }
        y[at++] = srcY[base + i];
      }
    }
  }

  /** The position of {@code chunk} among the batch's chunks with members. */
  private int of(int chunk) {
    int m = members.indexOf(chunk);
    if (m < 0) {
      throw new IllegalArgumentException("chunk " + chunk + " has no sample of batch ["
          + batch.from() + ", " + (batch.from() + batch.count()) + ") of epoch "
          + batch.epoch());
    }
    return m;
  }
}
