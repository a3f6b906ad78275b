package dev.tapetrain.coordinator.spec;


/**
 * What each step trains on and when training stops early.
 *
 * @param batchFraction share of the chunks each step uses, in (0, 1]; the chunks of step k are
 *                      chosen from {@code (batchSeed, k)}, whatever the workers
 * @param batchSeed     seed of the chunk choice, and of the epochs' sample orders
 * @param l2            weight λ of the penalty λ‖W‖² added to the loss (not to B), ≥ 0
 * @param tolerance     stop (status converged) when an update changes the parameters by less
 *                      than this, relative to their norm; 0 never stops early
 * @param batchSize     samples per update in epochs of mini-batches ({@code --batch-size});
 *                      0: no epochs (full batch, or {@code batchFraction} of the chunks)
 * @param shuffle       whether each epoch visits the samples in an order drawn from
 *                      {@code (batchSeed, epoch)}; false: in sample order ({@code --no-shuffle})
 * @param dropLast      whether an epoch's last, smaller batch is left out ({@code --drop-last})
 * @param validationSplit the share of the samples held out for validation, the last
 *                      {@code N − floor(N·(1 − F))} of them (Keras); 0: none
 * @param validateEvery also evaluate the validation split every this many updates, mid-epoch
 *                      ({@code --validate-every}); 0: only after each epoch
 * @param earlyStop     when a run of epochs stops early ({@link EarlyStop#NONE}: never), and
 *                      when it reduces the rate on a plateau
 */
public record StepPolicy(double batchFraction, long batchSeed, double l2, double tolerance,
    long batchSize, boolean shuffle, boolean dropLast, double validationSplit,
    EarlyStop earlyStop, long validateEvery) {

  /** A policy without --validate-every. */
  public StepPolicy(double batchFraction, long batchSeed, double l2, double tolerance,
      long batchSize, boolean shuffle, boolean dropLast, double validationSplit,
      EarlyStop earlyStop) {
    this(batchFraction, batchSeed, l2, tolerance, batchSize, shuffle, dropLast, validationSplit,
        earlyStop, 0);
  }

  /** Validates; messages name the command-line option. */
  public StepPolicy {
    if (!(batchFraction > 0 && batchFraction <= 1)) {
      throw new IllegalArgumentException("--batch-fraction must be in (0, 1], got "
          + batchFraction);
    }
    if (!(l2 >= 0) || !Double.isFinite(l2)) {
      throw new IllegalArgumentException("--l2 must be a finite number >= 0, got " + l2);
    }
    if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
      throw new IllegalArgumentException("--tolerance must be a finite number >= 0, got "
          + tolerance);
    }
    if (!(validationSplit >= 0 && validationSplit < 1)) {
      throw new IllegalArgumentException("--validation-split must be in (0, 1), got "
          + validationSplit);
    }
    java.util.Objects.requireNonNull(earlyStop, "earlyStop");
    if (validateEvery < 0) {
      throw new IllegalArgumentException("--validate-every must be at least 1, got "
          + validateEvery);
    }
    if (batchSize < 0) {
      throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
    }
  }

  /** A policy without epochs: full batch, or a share of the chunks per step. */
  public StepPolicy(double batchFraction, long batchSeed, double l2, double tolerance) {
    this(batchFraction, batchSeed, l2, tolerance, 0, true, false, 0, EarlyStop.NONE);
  }

  /** Full batch, no penalty, no early stop: the tutorial. */
  public static StepPolicy fullBatch() {
    return new StepPolicy(1.0, 0, 0, 0);
  }

  /** Whether the run trains by epochs of mini-batches ({@code --batch-size}). */
  public boolean epochs() {
    return batchSize > 0;
  }

  /** The training samples of {@code samples}: all but the validation split's. */
  public long trainingSamples(long samples) {
    return (long) Math.floor(samples * (1.0 - validationSplit));
  }

  /**
   * The training samples of {@code dataset}: with validation data of its own or a held-out
   * split, those its chunks put before the validation samples; else (also a run recorded before
   * held-out splits were chunked apart) all but the validation split's.
   */
  public long trainingSamples(dev.tapetrain.protocol.DatasetSpec dataset) {
    return dataset.separated() ? dataset.trainingRows()
        : trainingSamples(dataset.examples());
  }

  /**
   * Updates per epoch over the training samples of {@code dataset}: one per batch of
   * {@link #batchSize}, the last smaller one included unless {@link #dropLast}.
   */
  public long stepsPerEpoch(dev.tapetrain.protocol.DatasetSpec dataset) {
    long samples = trainingSamples(dataset);
    return batchesPerEpoch(samples, batchSize, dropLast);
  }

  /** The policy as it enters the run's numeric digest. */
  public dev.tapetrain.protocol.proto.StepPolicyProto toProto() {
    // Fields of epochs only when there are epochs: a run without them keeps its bytes and so
    // its digest (and every checkpoint written before epochs existed still resumes).
    dev.tapetrain.protocol.proto.StepPolicyProto.Builder b =
        dev.tapetrain.protocol.proto.StepPolicyProto.newBuilder()
        .setBatchFraction(batchFraction).setBatchSeed(batchSeed).setL2(l2)
        .setTolerance(tolerance);
    if (batchSize > 0) {
      b.setBatchSize(batchSize).setNoShuffle(!shuffle).setDropLast(dropLast)
          .setValidationSplit(validationSplit);
    }
    if (earlyStop.tracks() || earlyStop.reduces()) {
      b.setEarlyStoppingPatience(earlyStop.patience()).setMinDelta(earlyStop.minDelta())
          .setMonitor(earlyStop.monitor()).setRestoreBest(earlyStop.restoreBest());
    }
    if (validateEvery > 0) {
      b.setValidateEvery(validateEvery);
    }
    if (earlyStop.reduces()) {
      b.setReduceLrFactor(earlyStop.reduceFactor())
          .setReduceLrPatience(earlyStop.reducePatience()).setMinLr(earlyStop.minLr());
    }
    return b.build();
  }

  /** The policy {@link #toProto()} wrote. */
  public static StepPolicy fromProto(dev.tapetrain.protocol.proto.StepPolicyProto p) {
    return new StepPolicy(p.getBatchFraction(), p.getBatchSeed(), p.getL2(), p.getTolerance(),
        p.getBatchSize(), !p.getNoShuffle(), p.getDropLast(), p.getValidationSplit(),
        p.getEarlyStoppingPatience() == 0 && !p.getRestoreBest() && p.getReduceLrFactor() == 0
            ? EarlyStop.NONE
            : new EarlyStop(p.getEarlyStoppingPatience(), p.getMinDelta(), p.getMonitor(),
                p.getRestoreBest(), p.getReduceLrFactor(), p.getReduceLrPatience(),
                p.getMinLr()), p.getValidateEvery());
  }

  /**
   * Batches of {@code batchSize} in an epoch of {@code samples}: the last smaller one counts
   * unless {@code dropLast}, so a batch larger than the samples is one batch of them all (0 with
   * {@code dropLast}). Without {@code samples + batchSize - 1}, which overflows for a huge B.
   */
  public static long batchesPerEpoch(long samples, long batchSize, boolean dropLast) {
    return samples / batchSize + (!dropLast && samples % batchSize != 0 ? 1 : 0);
  }
}
