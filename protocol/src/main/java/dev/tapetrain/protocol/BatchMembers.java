package dev.tapetrain.protocol;

import java.util.Arrays;

/**
 * A batch's members chunk by chunk, as {@link EpochOrder#members(Batch, DatasetSpec)} gives them
 * (the same chunks, the same sample indices in the same order), held in arrays that are reused
 * from batch to batch (grown when a batch needs more): a worker derives them every mini-batch
 * round, and a map of boxed chunks and an array per chunk were most of what its round
 * allocated. Not thread-safe; what {@link #samples()} and {@link #chunks()} return is rewritten
 * by the next {@link #of}.
 */
public final class BatchMembers {

  private final EpochOrder order = new EpochOrder();
  // The members' sample indices, ascending; chunk k's are samples[starts[k], starts[k + 1]).
  private int[] samples = new int[0];
  private int[] chunks = new int[0];
  private int[] starts = new int[1];
  private int count;

  /** Derives the members of {@code batch} in chunks as {@code dataset} cuts its samples. */
  public void of(Batch batch, DatasetSpec dataset) {
    int[] all = order.order(batch);
    int n = batch.count();
    if (samples.length < n) {
      samples = new int[Math.max(n, 2 * samples.length)];
    }
    int[] picked = samples;
    System.arraycopy(all, (int) batch.from(), picked, 0, n);
    Arrays.sort(picked, 0, n);
    int offset = (int) batch.offset();
    count = 0;
    for (int i = 0; i < n; ) {
      picked[i] += offset;
      int chunk = dataset.chunkOf(picked[i]);
      int j = i + 1;
      while (j < n && dataset.chunkOf(picked[j] + offset) == chunk) {
        picked[j] += offset;
        j++;
      }
      if (count == chunks.length) {
        chunks = Arrays.copyOf(chunks, Math.max(16, 2 * count));
        starts = Arrays.copyOf(starts, chunks.length + 1);
      }
      chunks[count] = chunk;
      starts[count] = i;
      count++;
      i = j;
    }
    starts[count] = n;
  }

  /** The number of chunks with members. */
  public int chunkCount() {
    return count;
  }

  /** The chunks with members, ascending: the first {@link #chunkCount()} (not a copy). */
  public int[] chunks() {
    return chunks;
  }

  /** The members' sample indices, ascending, chunk after chunk (not a copy). */
  public int[] samples() {
    return samples;
  }

  /**
   * The position of {@code chunk} among {@link #chunks()}, or -1 if it has no member: its
   * members are {@code samples()[from(k), from(k + 1))}.
   */
  public int indexOf(int chunk) {
    int k = Arrays.binarySearch(chunks, 0, count, chunk);
    return k >= 0 ? k : -1;
  }

  /** Where chunk {@code k}'s members start in {@link #samples()} (k up to the chunk count). */
  public int from(int k) {
    return starts[k];
  }
}
