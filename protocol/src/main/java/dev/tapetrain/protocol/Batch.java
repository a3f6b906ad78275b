package dev.tapetrain.protocol;

/**
 * One mini-batch of a shuffled epoch, as a worker is told it: positions
 * {@code [from, from + count)} of epoch {@code epoch}'s order of the samples
 * {@code 0 .. samples − 1} ({@link EpochOrder}). Every worker derives the members of its own
 * chunks from these six numbers, so no index list crosses the wire.
 *
 * @param seed    the run's {@code --seed}
 * @param epoch   the epoch, from 0
 * @param shuffle whether the order is shuffled ({@code --no-shuffle}: sample order)
 * @param samples the training samples, the length of the order
 * @param from    the batch's first position in the order
 * @param count   the batch's size (the last batch of an epoch may be smaller)
 * @param offset  the sample the order starts at: the order is of samples
 *                {@code offset .. offset + samples − 1} (0 for the training samples, the
 *                first validation sample for a validation split)
 */
public record Batch(long seed, long epoch, boolean shuffle, long samples, long from, int count,
    long offset) {

  /** Checks the ranges. */
  public Batch {
    if (epoch < 0 || samples < 1 || samples > Integer.MAX_VALUE || from < 0 || count < 1
        || from + count > samples || offset < 0 || offset + samples > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch [" + from + ", " + (from + count) + ") of epoch "
          + epoch + " does not fit " + samples + " samples from " + offset);
    }
  }

  /** A batch of the order of samples {@code 0 .. samples − 1}. */
  public Batch(long seed, long epoch, boolean shuffle, long samples, long from, int count) {
    this(seed, epoch, shuffle, samples, from, count, 0);
  }

  /** Every sample of {@code [offset, offset + samples)}, in sample order: an evaluation. */
  public static Batch all(long offset, long samples) {
    return new Batch(0, 0, false, samples, 0, (int) samples, offset);
  }
}
