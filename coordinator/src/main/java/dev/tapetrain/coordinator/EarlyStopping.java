package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.spec.EarlyStop;
import dev.tapetrain.protocol.NamedTensor;
import java.util.List;
import java.util.Optional;

/**
 * The state of Keras' {@code EarlyStopping} rule ({@link EarlyStop}) over a run's epochs: the
 * best monitored number so far, its epoch, and the epochs since. After each epoch, in Keras'
 * order: the count of epochs without improvement goes up; an improvement — {@code current +
 * minDelta < best} (for an accuracy {@code current − minDelta > best}), in doubles, from a best
 * of ±∞ — makes it the best and the count 0; otherwise, once the count reaches the patience,
 * training stops. Kept in the checkpoint ({@link #values()}, and {@link #stopped()} once it
 * stopped training), so a resumed run counts on, or ends as the interrupted one would have.
 */
final class EarlyStopping {

  private final EarlyStop rule;
  private double best;
  private long wait;
  private long bestEpoch;
  private List<NamedTensor> bestParams;
  // Why the rule stopped training; empty while it goes on.
  private String stopped;

  /** The rule's state from {@code saved} ({@link #values()}; empty: before any epoch). */
  EarlyStopping(EarlyStop rule, List<Double> saved) {
    this(rule, saved, List.of());
  }

  /**
   * The rule's state from {@code saved}, {@code bestParams} (see below) and {@code stopped}:
   * why it already stopped training ({@link #stopped()}; empty: it has not).
   */
  EarlyStopping(EarlyStop rule, List<Double> saved, List<NamedTensor> bestParams,
      String stopped) {
    this(rule, saved, bestParams);
    this.stopped = stopped;
  }

  /**
   * The rule's state from {@code saved} and, with {@code --restore-best}, the parameters after
   * the best epoch so far ({@link #bestParams()}; empty: none yet).
   */
  EarlyStopping(EarlyStop rule, List<Double> saved, List<NamedTensor> bestParams) {
    this.rule = rule;
    this.bestParams = List.copyOf(bestParams);
    this.stopped = "";
    if (saved.size() == 3) {
      best = saved.get(0);
      wait = (long) (double) saved.get(1);
      bestEpoch = (long) (double) saved.get(2);
    } else {
      best = rule.higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
  }

  /**
   * Takes epoch {@code e}'s numbers (metrics named by {@code metricNames}): why training stops
   * now, or empty.
   */
  Optional<String> onEpoch(TrainingEvent.EpochEnded e, List<String> metricNames) {
    return onEpoch(e, metricNames, List.of());
  }

  /** As above; {@code params} are the parameters after the epoch, kept if it is the best. */
  Optional<String> onEpoch(TrainingEvent.EpochEnded e, List<String> metricNames,
      List<NamedTensor> params) {
    if (!rule.tracks()) {
      return Optional.empty();
    }
    double current = monitored(rule.monitor(), e, metricNames);
    wait++;
    boolean improved = rule.higherIsBetter() ? current - rule.minDelta() > best
        : current + rule.minDelta() < best;
    if (improved) {
      best = current;
      bestEpoch = e.epoch();
      wait = 0;
      if (rule.restoreBest()) {
        bestParams = List.copyOf(params);
      }
      return Optional.empty();
    }
    if (rule.active() && wait >= rule.patience()) {
      stopped = rule.monitor() + " did not improve by more than --min-delta "
          + rule.minDelta() + " for " + wait + " epoch(s); best "
          // As the console prints the epochs' numbers (0.288), not 0.288309475398817.
          + ConsoleReporter.lossText(best) + " at epoch "
          + bestEpoch;
      return Optional.of(stopped);
    }
    return Optional.empty();
  }

  /**
   * Why the rule stopped training, once it did (in this run or before a resume): the run's
   * next round is its final one. Empty while training goes on.
   */
  Optional<String> stopped() {
    return stopped.isEmpty() ? Optional.empty() : Optional.of(stopped);
  }

  /** The number {@code name} (--monitor) of epoch {@code e}. */
  static double monitored(String name, TrainingEvent.EpochEnded e, List<String> metricNames) {
    boolean val = name.startsWith("val_");
    String metric = val ? name.substring(4) : name;
    if (metric.equals("loss")) {
      return val ? e.valLoss() : e.loss();
    }
    int i = metricNames.indexOf(metric);
    List<Double> values = val ? e.valMetrics() : e.metrics();
    if (i < 0 || i >= values.size()) {
      throw new IllegalStateException("--monitor " + name + ": the model has no such number");
    }
    return values.get(i);
  }

  /** The parameters after the best epoch so far (empty: none, or not asked to keep them). */
  List<NamedTensor> bestParams() {
    return bestParams;
  }

  /** {@code [best, epochs without improvement, best epoch]}, or empty while nothing is known. */
  List<Double> values() {
    return !rule.tracks() || bestEpoch == 0 && wait == 0 ? List.of()
        : List.of(best, (double) wait, (double) bestEpoch);
  }
}
