package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelGradients;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.tape.Tensor;
import java.util.Arrays;
import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.IntFunction;

/**
 * The sums of a mini-batch's members of a worker's chunks. The worker derives the members from
 * the batch's numbers ({@link EpochOrder}, the same order the coordinator planned with), copies
 * each chunk's members, in ascending sample order, into a segment of their own, and evaluates
 * that like any segment: by the compiled loop when the model runs compiled, else by the tape one
 * chunk at a time; both give the same bits. A chunk's sums then depend only on the chunk and
 * the batch, never on the worker.
 */
final class BatchEvaluation {

  private final DatasetSpec dataset;
  private final Model model;
  private final ModelCompilation compilation;
  private final EpochOrder order = new EpochOrder();
  private Batch batch;
  private NavigableMap<Integer, int[]> members;

  BatchEvaluation(DatasetSpec dataset, Model model, ModelCompilation compilation) {
    this.dataset = dataset;
    this.model = model;
    this.compilation = compilation;
  }

  /**
   * One row per chunk of {@code wanted} (ascending, loaded, each with members of
   * {@code batch}): its members' sums at {@code params} ({@code values}: their values), each
   * member's loss times its class's weight when {@code weighting} is not null.
   */
  ChunkRows rows(Batch batch, List<Integer> wanted, IntFunction<Segment> holder,
      List<NamedTensor> params, List<double[]> values, ClassWeighting weighting) {
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

  /** One row per chunk of {@code gathered}, whose chunk {@code k} is reported as ids[k]. */
  private ChunkRows sums(Segment gathered, List<Integer> wanted, List<NamedTensor> params,
      List<double[]> values) {
    int total = gathered.y().length;
    CompiledModel compiled = compilation.settled() ? compilation.current()
        : compilation.compiled(total, total >= 3 ? gathered : null, 0, total, values);
    if (compiled != null) {
      ChunkRows rows = new ChunkRows(params, compiled.metricCount(), wanted.size());
      int[] lengths = new int[wanted.size()];
      for (int k = 0; k < lengths.length; k++) {
        lengths[k] = gathered.length(k);
      }
      double[] out = new double[compiled.width() * lengths.length];
      compiled.segmentSums(gathered.x(), gathered.y(), 0, lengths, values, out);
      for (int k = 0; k < lengths.length; k++) {
        int at = rows.addRow(wanted.get(k), lengths[k]);
        System.arraycopy(out, compiled.width() * k, rows.values(), at, compiled.width());
      }
      return rows;
    }
    ChunkRows rows = null;
    for (int k = 0; k < wanted.size(); k++) {
      Tensor y = Tensor.view(Arrays.copyOfRange(gathered.y(), gathered.start(k),
          gathered.start(k) + gathered.length(k)));
      ModelGradients.Sums s = ModelGradients.of(model, values,
          ShardEvaluator.rows(gathered, k), y);
      if (rows == null) {
        rows = new ChunkRows(params, s.metricSums().length, wanted.size());
      }
      rows.add(wanted.get(k), gathered.length(k), ShardEvaluator.row(rows, s));
    }
    return rows;
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
    int[] starts = new int[chunks.size() + 1];
    for (int k = 0; k < chunks.size(); k++) {
      starts[k + 1] = starts[k] + of(chunks.get(k)).length;
    }
    int features = dataset.features();
    double[][] x = new double[features][starts[chunks.size()]];
    double[] y = new double[starts[chunks.size()]];
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
