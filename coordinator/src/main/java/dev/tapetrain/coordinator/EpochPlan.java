package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The plan of {@code --epochs} and {@code --batch-size}: each epoch visits every training
 * sample once, in the order {@link EpochOrder} draws from {@code (seed, epoch)}, in batches of
 * {@code batchSize} positions of that order; each batch is one update. Update {@code k} is batch
 * {@code k mod S} of epoch {@code k div S}, {@code S} the updates per epoch, so the plan of a
 * resumed run follows from its checkpoint's update count alone.
 *
 * <p>Rounds: one that evaluates every sample at the initial parameters (the initial loss; of a
 * resumed run, the checkpoint's), then one per update — the batch's chunks, each answering for
 * its members of the batch only, the loss taken before the update ({@link Round.Loss#BATCH}) —
 * and, after the last update, one that evaluates every sample at the final parameters (the
 * summary's loss). Training completes after that round.
 */
public final class EpochPlan implements RoundPlan {

  private final DatasetSpec dataset;
  private final long seed;
  private final boolean shuffle;
  private final long batchSize;
  private final long samples;
  private final long perEpoch;
  private final long total;
  private final long firstUpdates;
  private final EpochOrder order = new EpochOrder();
  private List<Integer> all;

  /**
   * A plan of {@code epochs} epochs over {@code dataset}'s samples in batches of
   * {@code batchSize} ({@code dropLast}: without an epoch's last smaller batch), shuffled from
   * {@code seed} unless not {@code shuffle}, starting after {@code doneUpdates} updates.
   */
  public EpochPlan(DatasetSpec dataset, long epochs, long batchSize, boolean shuffle,
      boolean dropLast, long seed, long doneUpdates) {
    this.dataset = dataset;
    this.seed = seed;
    this.shuffle = shuffle;
    this.batchSize = batchSize;
    this.samples = dataset.examples();
    this.perEpoch = dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize;
    if (perEpoch < 1) {
      throw new IllegalArgumentException("a batch of " + batchSize + " is larger than the "
          + samples + " training samples");
    }
    this.total = epochs * perEpoch;
    this.firstUpdates = doneUpdates;
  }

  @Override
  public java.util.OptionalLong endsEpoch(Round round) {
    if (round.batch() == null || !round.trains()) {
      return java.util.OptionalLong.empty();
    }
    long k = updateOf(round.batch());
    return (k + 1) % perEpoch == 0 ? java.util.OptionalLong.of((k + 1) / perEpoch)
        : java.util.OptionalLong.empty();
  }

  @Override
  public long epochs() {
    return total / perEpoch;
  }

  /** Updates per epoch. */
  public long stepsPerEpoch() {
    return perEpoch;
  }

  @Override
  public Round first() {
    return whole(firstUpdates, firstUpdates == 0 ? Round.Loss.INITIAL : Round.Loss.RESUMED);
  }

  @Override
  public Round next(Round done) {
    long number = done.number() + 1;
    long update = done.batch() == null ? firstUpdates : updateOf(done.batch()) + 1;
    return update < total ? batch(number, update) : whole(number, Round.Loss.FINAL);
  }

  @Override
  public Optional<Stop> stopAfter(Round round, RoundResult result) {
    // Only a round that reads every sample can end the run: the final one, or the first of a
    // run with nothing left to do.
    return !round.trains() && result.updates() >= total ? Optional.of(Stop.completed())
        : Optional.empty();
  }

  /** The round of update {@code k}: batch {@code k mod S} of epoch {@code k div S}. */
  public Round batch(long number, long k) {
    long from = (k % perEpoch) * batchSize;
    int count = (int) Math.min(batchSize, samples - from);
    Batch b = new Batch(seed, k / perEpoch, shuffle, samples, from, count);
    NavigableMap<Integer, int[]> members = order.members(b, dataset.chunkSize());
    List<Integer> chunks = new ArrayList<>(members.size());
    List<Integer> counts = new ArrayList<>(members.size());
    for (Map.Entry<Integer, int[]> e : members.entrySet()) {
      chunks.add(e.getKey());
      counts.add(e.getValue().length);
    }
    return new Round(number, chunks, Round.Split.TRAINING, true, Round.Loss.BATCH, b, counts);
  }

  /** The update a batch's round makes. */
  private long updateOf(Batch b) {
    return b.epoch() * perEpoch + b.from() / batchSize;
  }

  /** A round that evaluates every sample, without an update. */
  private Round whole(long number, Round.Loss loss) {
    if (all == null) {
      List<Integer> every = new ArrayList<>(dataset.numChunks());
      for (int c = 0; c < dataset.numChunks(); c++) {
        every.add(c);
      }
      all = List.copyOf(every);
    }
    return new Round(number, all, Round.Split.TRAINING, false, loss);
  }
}
