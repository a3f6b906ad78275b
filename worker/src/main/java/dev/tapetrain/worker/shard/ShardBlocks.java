package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A step's chunks cut into blocks: runs of consecutive chunks, up to
 * {@link ShardEvaluator#BLOCK_SAMPLES} samples each (a single chunk may be larger), that the
 * compiled loop takes in one call, and the unit of work the worker's threads share out. On the
 * heap a block is a range of one segment's arrays, read in place; from the column cache it is
 * copied into its thread's scratch arrays first.
 */
final class ShardBlocks {

  private ShardBlocks() {}

  /**
   * Consecutive chunks: in {@code segment} from {@code from} on, or (segment null) in the
   * column cache from the dataset's sample {@code chunks[0]}'s start on.
   */
  static final class Block {
    final Segment segment;
    final int from;
    final int total;
    final int[] chunks;
    final int[] lengths;
    // The segment's features' arrays then its targets' (null off the heap): the compiled
    // loop's input, made once, not per step.
    final double[][] columns;

    Block(Segment segment, int from, int[] chunks, int[] lengths) {
      this.segment = segment;
      if (segment != null) {
        this.columns = java.util.Arrays.copyOf(segment.x(), segment.x().length + 1);
        this.columns[segment.x().length] = segment.y();
      } else {
        this.columns = null;
      }
      this.from = from;
      this.chunks = chunks;
      this.lengths = lengths;
      int sum = 0;
      for (int len : lengths) {
        sum += len;
      }
      this.total = sum;
    }
  }

  /**
   * {@code wanted} (ascending) cut into blocks; {@code holder} gives the segment of a chunk on
   * the heap, or is null for chunks in the column cache (where consecutive chunks always
   * follow each other).
   */
  static List<Block> of(List<Integer> wanted, DatasetSpec dataset, IntFunction<Segment> holder,
      int maxSamples) {
    List<Block> out = new ArrayList<>();
    int i = 0;
    while (i < wanted.size()) {
      Segment seg = holder == null ? null : holder.apply(wanted.get(i));
      int j = i + 1;
      int samples = dataset.chunkLength(wanted.get(i));
      while (j < wanted.size() && wanted.get(j) == wanted.get(j - 1) + 1
          && (seg == null || seg.holds(wanted.get(j)))
          && samples + dataset.chunkLength(wanted.get(j)) <= maxSamples) {
        samples += dataset.chunkLength(wanted.get(j));
        j++;
      }
      int[] ids = new int[j - i];
      int[] lengths = new int[j - i];
      for (int k = i; k < j; k++) {
        ids[k - i] = wanted.get(k);
        lengths[k - i] = dataset.chunkLength(wanted.get(k));
      }
      out.add(new Block(seg, seg == null ? 0 : seg.start(wanted.get(i)), ids, lengths));
      i = j;
    }
    return out;
  }

  /** Whether {@code ids[0, n)} ascend strictly. */
  static boolean ascending(int[] ids, int n) {
    for (int i = 1; i < n; i++) {
      if (ids[i] <= ids[i - 1]) {
        return false;
      }
    }
    return true;
  }

  /** {@code wanted} in ascending order without repeats (as it almost always comes already). */
  static List<Integer> ascending(List<Integer> wanted) {
    for (int i = 1; i < wanted.size(); i++) {
      if (wanted.get(i) <= wanted.get(i - 1)) {
        return new java.util.ArrayList<>(new java.util.TreeSet<>(wanted));
      }
    }
    return wanted;
  }
}
