package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.spec.StepPolicy;
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
 * {@code batchSize} positions of that order (a batch of more than the samples: one batch of them
 * all, as Keras and PyTorch take it); each batch is one update. Update {@code k} is batch
 * {@code k mod S} of epoch {@code k div S}, {@code S} the updates per epoch, so the plan of a
 * resumed run follows from its checkpoint's update count alone.
 *
 * <p>Rounds: one that evaluates every sample at the initial parameters (the initial loss; of a
 * resumed run, the checkpoint's), then one per update — the batch's chunks, each answering for
 * its members of the batch only, the loss taken before the update ({@link Round.Loss#BATCH}) —
 * and, after the last update, one that evaluates every sample at the final parameters (the
 * summary's loss). Training completes after that round.
 *
 * <p>With a validation split, the plan trains on the first samples only and, after the last
 * update of each epoch, evaluates the validation samples at the parameters it reached
 * ({@link Round.Loss#VALIDATION}). Every round reads chunks' members of a selection (training
 * or validation), as a batch's: the dataset chunks the two sides apart
 * ({@link DatasetSpec#separated()}), except in a run recorded before 2026-12-07, where one chunk
 * may hold samples of both and answers for the side a round asks for.
 */
public final class EpochPlan implements RoundPlan {

  private final DatasetSpec dataset;
  private final long seed;
  private final boolean shuffle;
  private final long batchSize;
  private final long samples;
  private final long validation;
  private final long perEpoch;
  private final long total;
  private final long firstUpdates;
  private long validateEvery;
  // The update a --validate-every round comes before.
  private long checkedUpdate;
  private final EpochOrder order = new EpochOrder();
  private List<Integer> all;
  // Why training stopped early; null while it goes on.
  private String stoppedEarly;

  /**
   * A plan of {@code epochs} epochs over {@code dataset}'s samples in batches of
   * {@code batchSize} ({@code dropLast}: without an epoch's last smaller batch), shuffled from
   * {@code seed} unless not {@code shuffle}, starting after {@code doneUpdates} updates.
   */
  public EpochPlan(DatasetSpec dataset, long epochs, long batchSize, boolean shuffle,
      boolean dropLast, long seed, long doneUpdates) {
    this(dataset, dataset.examples(), epochs, batchSize, shuffle, dropLast, seed, doneUpdates);
  }

  /**
   * As above, training on the first {@code trainingSamples} samples only; the others are the
   * validation split, evaluated after every epoch.
   */
  public EpochPlan(DatasetSpec dataset, long trainingSamples, long epochs, long batchSize,
      boolean shuffle, boolean dropLast, long seed, long doneUpdates) {
    this.dataset = dataset;
    this.seed = seed;
    this.shuffle = shuffle;
    this.batchSize = batchSize;
    this.samples = trainingSamples;
    this.validation = dataset.examples() - trainingSamples;
    // A batch larger than the training samples is one batch of them all (Keras' fit and
    // PyTorch's DataLoader take it so); only --drop-last can leave an epoch without a batch.
    this.perEpoch = StepPolicy.batchesPerEpoch(samples, batchSize, dropLast);
    if (perEpoch < 1) {
      throw new IllegalArgumentException("--batch-size " + batchSize + " with --drop-last "
          + "leaves no batch of the " + samples + " training samples");
    }
    this.total = epochs * perEpoch;
    this.firstUpdates = doneUpdates;
  }

  /**
   * Also evaluates the validation split before every update {@code u} with {@code u} a
   * multiple of {@code k} ({@code --validate-every}; 0: never), except at an epoch's start,
   * where the epoch's own validation just ran, and before the first update.
   */
  public EpochPlan validateEvery(long k) {
    this.validateEvery = k;
    return this;
  }

  @Override
  public java.util.OptionalLong endsEpoch(Round round) {
    if (round.loss() != Round.Loss.BATCH) {
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
  public boolean endsWith(Round first) {
    return first.loss() == Round.Loss.RESUMED && firstUpdates >= total && stoppedEarly == null;
  }

  @Override
  public void stopEarly(String why) {
    stoppedEarly = why;
  }

  @Override
  public Round next(Round done) {
    long number = done.number() + 1;
    if (stoppedEarly != null) {
      return whole(number, Round.Loss.FINAL);
    }
    if (done.loss() == Round.Loss.BATCH && validates() && endsEpoch(done).isPresent()) {
      return validation(number, done.batch().epoch());
    }
    long update = updateAfter(done);
    if (update < total && done.loss() != Round.Loss.CHECK && checksBefore(update)) {
      checkedUpdate = update;
      return validation(number, update / perEpoch, Round.Loss.CHECK);
    }
    return update < total ? batch(number, update) : whole(number, Round.Loss.FINAL);
  }

  /** The update the round after {@code done} makes or comes before (total: none left). */
  private long updateAfter(Round done) {
    return switch (done.loss()) {
      case BATCH -> updateOf(done.batch()) + 1;
      case VALIDATION -> (done.batch().epoch() + 1) * perEpoch;
      case CHECK -> checkedUpdate;
      case FINAL -> total;
      default -> firstUpdates;
    };
  }

  /**
   * The updates left after {@code round}, one round each (validation passes come besides): an
   * epoch of 1M samples in batches of 256 says 3 907 at its first round, so a worker compiles its
   * model while it loads and runs its first pass over every sample compiled.
   */
  @Override
  public long roundsAhead(Round round) {
    return Math.max(0, total - updateAfter(round));
  }

  @Override
  public Optional<Stop> stopAfter(Round round, RoundResult result) {
    // Only a round over every training sample can end the run: the final one, or the first of
    // a run with nothing left to do.
    if (stoppedEarly != null) {
      // Also when the stop came at the last epoch: the final round ends the run, after the
      // best parameters were restored, not the first round of a run resumed before it.
      return round.loss() == Round.Loss.FINAL
          ? Optional.of(new Stop(RunSummary.Status.STOPPED_EARLY, stoppedEarly))
          : Optional.empty();
    }
    return !round.trains() && round.loss() != Round.Loss.VALIDATION
        && round.loss() != Round.Loss.CHECK && result.updates() >= total
        ? Optional.of(Stop.completed()) : Optional.empty();
  }

  @Override
  public boolean validates() {
    return validation > 0;
  }

  /** Whether a --validate-every round comes before update {@code u}. */
  private boolean checksBefore(long u) {
    return validateEvery > 0 && validates() && u > 0 && u % validateEvery == 0
        && u % perEpoch != 0;
  }

  /** The evaluation of the validation split after epoch {@code epoch} (from 0). */
  private Round validation(long number, long epoch) {
    return validation(number, epoch, Round.Loss.VALIDATION);
  }

  /** An evaluation of the validation split in epoch {@code epoch}, reported as {@code loss}. */
  private Round validation(long number, long epoch, Round.Loss loss) {
    Batch all = Batch.all(samples, validation);
    Batch b = new Batch(all.seed(), epoch, false, validation, 0, all.count(), samples);
    return selection(number, b, Round.Split.VALIDATION, false, loss);
  }

  /** The round of update {@code k}: batch {@code k mod S} of epoch {@code k div S}. */
  public Round batch(long number, long k) {
    long from = (k % perEpoch) * batchSize;
    int count = (int) Math.min(batchSize, samples - from);
    Batch b = new Batch(seed, k / perEpoch, shuffle, samples, from, count);
    return selection(number, b, Round.Split.TRAINING, true, Round.Loss.BATCH);
  }

  /** A round over the members of {@code b}: the chunks that hold any, and how many each. */
  private Round selection(long number, Batch b, Round.Split split, boolean trains,
      Round.Loss loss) {
    NavigableMap<Integer, int[]> members = order.members(b, dataset);
    List<Integer> chunks = new ArrayList<>(members.size());
    List<Integer> counts = new ArrayList<>(members.size());
    for (Map.Entry<Integer, int[]> e : members.entrySet()) {
      chunks.add(e.getKey());
      counts.add(e.getValue().length);
    }
    return new Round(number, chunks, split, trains, loss, b, counts);
  }

  /** The update a batch's round makes. */
  private long updateOf(Batch b) {
    return b.epoch() * perEpoch + b.from() / batchSize;
  }

  /** A round that evaluates every training sample, without an update. */
  private Round whole(long number, Round.Loss loss) {
    if (validates()) {
      // The training samples as a selection like a batch's (a run recorded before held-out
      // splits were chunked apart may have a chunk straddling its split).
      return selection(number, Batch.all(0, samples), Round.Split.TRAINING, false, loss);
    }
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
