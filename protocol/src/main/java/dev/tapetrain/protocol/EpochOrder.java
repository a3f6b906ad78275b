package dev.tapetrain.protocol;

import java.util.Arrays;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The order in which an epoch visits the samples, and a batch's members chunk by chunk. The
 * order is documented in docs/training-loop.md so that an independent program reproduces it:
 *
 * <ol>
 *   <li>{@code key = mix64(seed ^ mix64(epoch + GOLDEN))} with SplitMix64's finaliser
 *       {@link Hashing#mix64} and {@code GOLDEN = 0x9E3779B97F4A7C15}, all arithmetic modulo
 *       2<sup>64</sup>;</li>
 *   <li>a SplitMix64 stream from state {@code key}: each draw adds {@code GOLDEN} to the state
 *       and returns {@code mix64(state)};</li>
 *   <li>Fisher–Yates from the identity {@code a = [0, 1, …, n − 1]}: for {@code i} from
 *       {@code n − 1} down to 1, draw {@code z}, take {@code j = ((z >>> 32) · (i + 1)) >>> 32}
 *       (unsigned; {@code 0 ≤ j ≤ i}) and swap {@code a[i]} and {@code a[j]}.</li>
 * </ol>
 *
 * <p>Without shuffling the order is the identity. Batch {@code s} of an epoch is positions
 * {@code [s·B, min((s + 1)·B, n))} of it. Within a chunk, a batch's members are added in sample
 * order (ascending index), whatever their positions in the batch.
 *
 * <p>An instance keeps the last order it made (an epoch's order serves all of its batches).
 * Not thread-safe.
 */
public final class EpochOrder {

  private long seed;
  private long epoch = -1;
  private boolean shuffle;
  private int[] order;

  /** The order of samples {@code 0 .. n − 1} in epoch {@code epoch} of a run with {@code seed}. */
  public static int[] of(long seed, long epoch, int n, boolean shuffle) {
    return fill(new int[n], seed, epoch, shuffle);
  }

  /** {@link #of} written into {@code a}, whose length is the number of samples. */
  private static int[] fill(int[] a, long seed, long epoch, boolean shuffle) {
    int n = a.length;
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    if (!shuffle) {
      return a;
    }
    long state = Hashing.mix64(seed ^ Hashing.mix64(epoch + Hashing.GOLDEN));
    for (int i = n - 1; i > 0; i--) {
      state += Hashing.GOLDEN;
      long z = Hashing.mix64(state);
      int j = (int) (((z >>> 32) * (i + 1L)) >>> 32);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /**
   * The order of {@code batch}'s epoch, made once per epoch, into the array of the epoch before
   * when it has as many samples (the array returned is rewritten by the next epoch's call).
   */
  public int[] order(Batch batch) {
    if (order == null || order.length != batch.samples() || seed != batch.seed()
        || epoch != batch.epoch() || shuffle != batch.shuffle()) {
      order = fill(order != null && order.length == batch.samples() ? order
          : new int[(int) batch.samples()], batch.seed(), batch.epoch(), batch.shuffle());
      seed = batch.seed();
      epoch = batch.epoch();
      shuffle = batch.shuffle();
    }
    return order;
  }

  /**
   * The members of {@code batch} by chunk (chunks of {@code chunkSize} consecutive samples):
   * each chunk that has any, with its members' sample indices ({@code offset} + the order's
   * values) ascending.
   */
  public NavigableMap<Integer, int[]> members(Batch batch, int chunkSize) {
    return members(batch, s -> s / chunkSize);
  }

  /** As above, chunks as {@code dataset} cuts its samples ({@link DatasetSpec#chunkOf}). */
  public NavigableMap<Integer, int[]> members(Batch batch, DatasetSpec dataset) {
    return !dataset.separated() ? members(batch, dataset.chunkSize())
        : members(batch, s -> dataset.chunkOf(s));
  }

  private NavigableMap<Integer, int[]> members(Batch batch,
      java.util.function.IntUnaryOperator chunkOf) {
    int[] all = order(batch);
    int[] picked = Arrays.copyOfRange(all, (int) batch.from(), (int) batch.from() + batch.count());
    Arrays.sort(picked);
    int offset = (int) batch.offset();
    for (int i = 0; i < picked.length; i++) {
      picked[i] += offset;
    }
    NavigableMap<Integer, int[]> out = new TreeMap<>();
    for (int i = 0; i < picked.length; ) {
      int chunk = chunkOf.applyAsInt(picked[i]);
      int j = i + 1;
      while (j < picked.length && chunkOf.applyAsInt(picked[j]) == chunk) {
        j++;
      }
      out.put(chunk, Arrays.copyOfRange(picked, i, j));
      i = j;
    }
    return out;
  }
}
