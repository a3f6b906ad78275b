package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import dev.tapetrain.tape.Tensor;
import java.util.NavigableMap;

/**
 * A mini-batch's members of a worker's chunks, gathered for the tape: the worker derives them
 * from the batch's numbers ({@link EpochOrder}, the same order the coordinator planned with) and
 * copies each chunk's members, in ascending sample order, into the rows its model reads. The
 * sums of a chunk then depend only on the chunk and the batch, never on the worker.
 */
final class BatchMembers {

  private final DatasetSpec dataset;
  private final EpochOrder order = new EpochOrder();
  private Batch batch;
  private NavigableMap<Integer, int[]> members;

  BatchMembers(DatasetSpec dataset) {
    this.dataset = dataset;
  }

  /**
   * The sample indices of {@code batch} in {@code chunk}, ascending.
   *
   * @throws IllegalArgumentException if the batch has none there (the coordinator asks only
   *     for chunks with members), or does not fit the dataset
   */
  int[] of(Batch batch, int chunk) {
    if (batch.samples() != dataset.examples()) {
      throw new IllegalArgumentException("batch of " + batch.samples() + " samples for a "
          + "dataset of " + dataset.examples());
    }
    if (!batch.equals(this.batch)) {
      members = order.members(batch, dataset.chunkSize());
      this.batch = batch;
    }
    int[] m = members.get(chunk);
    if (m == null) {
      throw new IllegalArgumentException("chunk " + chunk + " has no sample of batch ["
          + batch.from() + ", " + (batch.from() + batch.count()) + ") of epoch "
          + batch.epoch());
    }
    return m;
  }

  /** The rows of {@code members} of chunk {@code c} held in {@code seg}: an [n, f] matrix. */
  Tensor rows(Segment seg, int c, int[] members) {
    int f = seg.x().length;
    double[] rows = new double[members.length * f];
    int base = offset(seg, c);
    for (int i = 0; i < members.length; i++) {
      int at = base + members[i];
      for (int j = 0; j < f; j++) {
        rows[i * f + j] = seg.x()[j][at];
      }
    }
    return Tensor.viewMatrix(members.length, f, rows);
  }

  /** The targets of {@code members} of chunk {@code c} held in {@code seg}. */
  Tensor targets(Segment seg, int c, int[] members) {
    double[] y = new double[members.length];
    int base = offset(seg, c);
    for (int i = 0; i < members.length; i++) {
      y[i] = seg.y()[base + members[i]];
    }
    return Tensor.view(y);
  }

  /** Where sample 0 would sit in {@code seg}'s arrays, by chunk {@code c}'s position. */
  private int offset(Segment seg, int c) {
    return seg.start(c) - (int) dataset.chunkStart(c);
  }
}
