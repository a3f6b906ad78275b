package dev.tapetrain.coordinator.spec;

/**
 * Keras' {@code EarlyStopping}: after each epoch, the {@code monitor}ed number improved if it
 * went below the best so far by more than {@code minDelta} (above, for an accuracy); after
 * {@code patience} epochs in a row without improvement, training stops (status
 * {@code stopped_early}).
 *
 * @param patience epochs without improvement that stop training; 0: never stop early
 * @param minDelta how much a change must exceed to count as an improvement, ≥ 0 (absolute)
 * @param monitor  {@code loss} (the epoch's training loss), {@code val_loss}, or a metric of the
 *                 model, plain or {@code val_}-prefixed (e.g. {@code val_accuracy})
 * @param restoreBest whether the parameters after the best epoch are the run's final ones
 *                 ({@code --restore-best}), stopped early or not
 * @param reduceFactor Keras' {@code ReduceLROnPlateau}: after {@code reducePatience} epochs
 *                 without improvement of the same {@code monitor} (by {@code minDelta}), the
 *                 schedule's rate is multiplied by this, in (0, 1); 0: never
 * @param reducePatience epochs without improvement that reduce the rate (≥ 1 with a factor)
 * @param minLr    the rate reduce on plateau never goes below, ≥ 0
 */
public record EarlyStop(int patience, double minDelta, String monitor, boolean restoreBest,
    double reduceFactor, int reducePatience, double minLr) {

  /** No early stopping. */
  public static final EarlyStop NONE = new EarlyStop(0, 0, "val_loss", false);

  /** Early stopping (or only {@code --restore-best}) without reduce on plateau. */
  public EarlyStop(int patience, double minDelta, String monitor, boolean restoreBest) {
    this(patience, minDelta, monitor, restoreBest, 0, 0, 0);
  }

  /** Validates; messages name the command-line option. */
  public EarlyStop {
    if (patience < 0) {
      throw new IllegalArgumentException("--early-stopping-patience must be at least 1, got "
          + patience);
    }
    if (!(minDelta >= 0) || !Double.isFinite(minDelta)) {
      throw new IllegalArgumentException("--min-delta must be a finite number >= 0, got "
          + minDelta);
    }
    java.util.Objects.requireNonNull(monitor, "monitor");
    if (reduceFactor != 0 && !(reduceFactor > 0 && reduceFactor < 1)) {
      throw new IllegalArgumentException("--reduce-lr-factor must be in (0, 1), got "
          + reduceFactor);
    }
    if (reduceFactor != 0 && reducePatience < 1) {
      throw new IllegalArgumentException("--reduce-lr-patience must be at least 1, got "
          + reducePatience);
    }
    if (!(minLr >= 0) || !Double.isFinite(minLr)) {
      throw new IllegalArgumentException("--min-lr must be a finite number >= 0, got " + minLr);
    }
  }

  /** Whether the rate is reduced on a plateau of {@code monitor}. */
  public boolean reduces() {
    return reduceFactor > 0;
  }

  /** Whether training may stop early. */
  public boolean active() {
    return patience > 0;
  }

  /** Whether the best epoch is tracked: to stop early, or to restore its parameters. */
  public boolean tracks() {
    return patience > 0 || restoreBest;
  }

  /** Whether a higher monitored number is better (an accuracy; Keras' 'auto' mode). */
  public boolean higherIsBetter() {
    return monitor.contains("acc");
  }
}
