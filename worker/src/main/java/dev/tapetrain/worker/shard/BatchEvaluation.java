package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.IntFunction;

/**
 * The sums of a mini-batch's members of a worker's chunks. The worker derives the members from
 * the batch's numbers ({@link EpochOrder}, the same order the coordinator planned with), copies
 * each chunk's members, in ascending sample order, into a segment of their own, and evaluates
 * that like any segment: by the compiled loop when the model runs compiled, else by the tape one
 * chunk at a time; both give the same bits. A chunk's sums then depend only on the chunk and
 * the batch, never on the worker or its threads ({@link ParallelSums}). The members' arrays are
 * reused from batch to batch (grown when a batch needs more).
 */
final class BatchEvaluation {

  private final DatasetSpec dataset;
  private final ModelCompilation compilation;
  private final ParallelSums sums;
  private final EpochOrder order = new EpochOrder();
  private Batch batch;
  private NavigableMap<Integer, int[]> members;
  // The gathered members, the features' arrays then the targets', and each chunk's length;
  // reused, so only their first samples and chunks are this batch's.
  private double[][] columns = new double[0][];
  private int[] lengths = new int[0];

  BatchEvaluation(DatasetSpec dataset, ModelCompilation compilation, ParallelSums sums) {
    this.dataset = dataset;
    this.compilation = compilation;
    this.sums = sums;
  }

  /**
   * One row per chunk of {@code wanted} (ascending, loaded, each with members of
   * {@code batch}): its members' sums at {@code params} ({@code values}: their values), each
   * member's loss times its class's weight when {@code weighting} is not null.
   */
  ChunkRows rows(Batch batch, List<Integer> wanted, IntFunction<Segment> holder,
      List<NamedTensor> params, List<double[]> values, ClassWeighting weighting) {
    // An epoch of many batches compiles at once rather than after many cold eager rounds.
    compilation.expectRounds(batch.samples() / Math.max(1, batch.count()));
    Segment gathered = gather(batch, wanted, holder);
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
   * Every chunk the last batch given to {@link #rows} touches, on any worker (a worker may
   * pre-add its rows across the others: {@link dev.tapetrain.protocol.ChunkTree#aggregate(
   * ChunkRows, int, java.util.NavigableSet)}).
   */
  java.util.NavigableSet<Integer> touched() {
    return members.navigableKeySet();
  }

  /** One row per chunk of {@code gathered}, whose chunk {@code k} is reported as ids[k]. */
  private ChunkRows sums(Segment gathered, List<Integer> wanted, List<NamedTensor> params,
      List<double[]> values) {
    int n = wanted.size();
    int total = gathered.starts()[n];
    CompiledModel compiled = compilation.settled() ? compilation.current()
        : compilation.compiled(total, total >= 3 ? gathered : null, 0, total, values);
    if (compiled != null) {
      // The gathered members are already columns; a class-weighted split is not.
      double[][] columns = this.columns;
      if (columns.length == 0 || gathered.y() != columns[columns.length - 1]) {
        columns = Arrays.copyOf(gathered.x(), gathered.x().length + 1);
        columns[gathered.x().length] = gathered.y();
      }
      if (lengths.length < n) {
        lengths = new int[n];
      }
      for (int k = 0; k < n; k++) {
        lengths[k] = gathered.length(k);
      }
      return sums.ranges(compiled, columns, gathered.starts(), lengths, wanted, params, values);
    }
    return compilation.eager(() -> sums.eager(wanted, (k, lane) -> gathered, k -> k, params,
        values));
  }

  /**
   * The members of {@code batch} in {@code chunks} (ascending), read from the segments that
   * hold them ({@code holder}), as one segment whose chunk {@code k} is {@code chunks[k]}'s
   * members in sample order.
   *
   * @throws IllegalArgumentException if the batch does not fit the dataset or has no member in
   *     one of the chunks (the coordinator asks only for chunks with members)
   */
  private Segment gather(Batch batch, List<Integer> chunks, IntFunction<Segment> holder) {
    if (batch.offset() + batch.samples() > dataset.examples()) {
      throw new IllegalArgumentException("batch of samples " + batch.offset() + " .. "
          + (batch.offset() + batch.samples() - 1) + " for a dataset of " + dataset.examples());
    }
    if (!batch.equals(this.batch)) {
      members = order.members(batch, dataset);
      this.batch = batch;
    }
    int n = chunks.size();
    int[] starts = new int[n + 1]; // the segment's own: a segment knows its chunks by it
    for (int k = 0; k < n; k++) {
      starts[k + 1] = starts[k] + of(chunks.get(k)).length;
    }
    int features = dataset.features();
    if (columns.length == 0 || columns[0].length < starts[n]) {
      columns = new double[features + 1][Math.max(starts[n], columns.length == 0 ? 0
          : columns[0].length * 2)];
    }
    double[][] x = Arrays.copyOf(columns, features);
    double[] y = columns[features];
    for (int k = 0; k < chunks.size(); k++) {
      int c = chunks.get(k);
      Segment seg = holder.apply(c);
      // Where sample 0 would sit in seg's arrays, by chunk c's position.
      int base = seg.start(c) - (int) dataset.chunkStart(c);
      int at = starts[k];
      for (int i : of(c)) {
        for (int f = 0; f < features; f++) {
          x[f][at] = seg.x()[f][base + i];
        }
        y[at++] = seg.y()[base + i];
      }
    }
    return new Segment(0, starts, x, y);
  }

  private int[] of(int chunk) {
    int[] m = members.get(chunk);
    if (m == null) {
      throw new IllegalArgumentException("chunk " + chunk + " has no sample of batch ["
          + batch.from() + ", " + (batch.from() + batch.count()) + ") of epoch "
          + batch.epoch());
    }
    return m;
  }
}
