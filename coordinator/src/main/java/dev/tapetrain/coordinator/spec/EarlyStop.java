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
 */
public record EarlyStop(int patience, double minDelta, String monitor, boolean restoreBest) {

  /** No early stopping. */
  public static final EarlyStop NONE = new EarlyStop(0, 0, "val_loss", false);

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
