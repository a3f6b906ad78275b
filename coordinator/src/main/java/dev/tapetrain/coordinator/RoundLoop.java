package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RoundPlan.RoundResult;
import dev.tapetrain.coordinator.spec.EarlyStop;
import java.util.List;
import java.util.Optional;

/**
 * The loop of rounds without its messages: what a completed round's loss is reported as,
 * whether training stops after it (diverged, or the plan's rules), its update, and the round
 * after it. The coordinator runs each round, tells the event this returns and acts on the
 * store's answer. No Akka.
 *
 * <p>Order of use per completed round: {@link #report}, {@link #decide} (the other way round
 * when {@link #reportsAfterUpdate}), and unless that stopped the run, {@link #next}.
 */
final class RoundLoop {

  private final StepMath math;
  private final RoundPlan plan;
  private List<String> metricNames = List.of();
  // The last --validate-every round's numbers, for the step after it (null: none pending).
  private TrainingEvent.Validated pendingValidation;

  /**
   * The loop of {@code plan}, with {@code math}'s numbers. A run resumed after early stopping
   * ended its training (and before its final round completed) goes straight on to that round.
   */
  RoundLoop(StepMath math, RoundPlan plan) {
    this.math = math;
    this.plan = plan;
    math.earlyStopping().stopped().ifPresent(plan::stopEarly);
  }

  /**
   * The first round. A run resumed with no update left (interrupted in its final round) ends
   * after it, so it runs at the best parameters (--restore-best), as that final round would have.
   */
  Round first() {
    Round first = plan.first();
    if (plan.endsWith(first)) {
      math.restoreBest(); // nothing unless --restore-best kept some
    }
    return first;
  }

  /**
   * The event {@code round}'s loss makes: the initial loss, a resumed run's loss, or the record
   * of the step before it (which takes the losses and moves {@code recovery} logged since the
   * previous record).
   *
   * @param totals     the round's totals with the penalty
   * @param roundNanos the wall time since the round before completed
   * @param workers    each worker's part of the round
   */
  TrainingEvent report(Round round, StepReduction.Totals totals, long roundNanos,
      List<StepRecord.WorkerShare> workers, RecoveryLog recovery) {
    return switch (round.loss()) {
      case INITIAL -> {
        math.initialLoss(totals.loss());
        yield new TrainingEvent.InitialLoss(totals.loss());
      }
      case RESUMED -> new TrainingEvent.Resumed(math.updates(), totals.loss());
      // A mini-batch round is told after its update (see reportsAfterUpdate): the record of
      // the step it made, with the batch's loss before it; the same fields as a full-batch step.
      case AFTER_LAST_STEP, BATCH -> {
        long digest = math.chain(totals.loss());
        RecoveryLog.Since since = recovery.drain();
        TrainingEvent.Validated val = pendingValidation;
        pendingValidation = null;
        yield new TrainingEvent.Step(new StepRecord(math.updates() - 1, totals.loss(),
            math.params(), math.lastGradients(), math.learningRate(), roundNanos, workers,
            since.ignored(), since.events(), digest, totals.metrics(),
            val == null ? Double.NaN : val.loss(), val == null ? List.of() : val.metrics()));
      }
      case CHECK -> {
        pendingValidation = new TrainingEvent.Validated(math.updates(), totals.loss(),
            totals.metrics());
        yield pendingValidation;
      }
      case FINAL -> new TrainingEvent.Evaluated(math.updates(), totals.loss(), totals.metrics());
      case VALIDATION -> epochEnded(round.batch().epoch() + 1, totals.loss(), totals.metrics());
    };
  }

  /**
   * Whether {@code round} is told after {@link #decide} (a mini-batch's step, whose record
   * holds the parameters its update reached) rather than before (every other round).
   */
  boolean reportsAfterUpdate(Round round) {
    return round.loss() == Round.Loss.BATCH;
  }

  /**
   * Whether the run stops after {@code round} with {@code totals}: diverged, or ended by the
   * plan; otherwise the round's update is applied (if it trains), and empty.
   */
  Optional<Stop> decide(Round round, StepReduction.Totals totals) {
    Optional<Stop> stop = math.commit(totals);
    if (stop.isEmpty()) {
      stop = plan.stopAfter(round, new RoundResult(math.updates(), totals.loss(),
          totals.metrics(), math.lastChange()));
    }
    if (stop.isEmpty() && round.trains()) {
      stop = math.update(totals);
    }
    return stop;
  }

  /**
   * After {@code round} was told and decided: a mini-batch step joins its epoch's sums, the
   * last step of an epoch ends it ({@link TrainingEvent.EpochEnded}), and the state the step
   * reached is the last good one ({@link StepMath#stepLogged}).
   */
  Optional<TrainingEvent> afterStep(Round round, StepReduction.Totals totals) {
    if (round.loss() != Round.Loss.BATCH) {
      return Optional.empty();
    }
    math.addToEpoch(totals, round.batch().count());
    java.util.OptionalLong ended = plan.endsEpoch(round);
    if (ended.isPresent() && plan.validates()) {
      // The epoch ends with its validation round, which commits the state after it: a resume
      // from a state before that round would skip the epoch's validation (EpochPlan#next).
      return Optional.empty();
    }
    Optional<TrainingEvent> epochEnd = ended.isEmpty() ? Optional.empty()
        : Optional.of(epochEnded(ended.getAsLong(), Double.NaN, List.of()));
    math.stepLogged(totals.loss());
    return epochEnd;
  }

  /** Epoch {@code epoch} (from 1) ends, with its validation numbers (NaN, none: without). */
  private TrainingEvent.EpochEnded epochEnded(long epoch, double valLoss,
      List<Double> valMetrics) {
    EpochSums sums = math.endEpoch();
    TrainingEvent.EpochEnded ended = new TrainingEvent.EpochEnded(epoch, plan.epochs(),
        math.updates(), sums.meanLoss(), sums.meanMetrics(), valLoss, valMetrics);
    java.util.Optional<String> stop = math.earlyStopping().onEpoch(ended, metricNames,
        math.params());
    stop.ifPresent(plan::stopEarly);
    if (stop.isEmpty()
        // Early stopping wins when both fire on one epoch: no update follows to reduce.
        && math.plateau().onEpoch(ended, metricNames, math.nextRate()).isPresent()) {
      EarlyStop rule = math.plateau().rule();
      return ended.with(new TrainingEvent.RateReduced(math.nextRate(), rule.monitor(),
          rule.reducePatience()));
    }
    return ended;
  }

  /** The names of the model's metrics, as the workers built it (for --monitor). */
  void metricNames(List<String> names) {
    metricNames = List.copyOf(names);
  }

  /** The plan's {@link RoundPlan#roundsAhead} of {@code round}. */
  long roundsAhead(Round round) {
    return plan.roundsAhead(round);
  }

  /** The round after {@code done}; before the final one, the best parameters if asked. */
  Round next(Round done) {
    Round next = plan.next(done);
    if (next.loss() == Round.Loss.FINAL) {
      math.restoreBest(); // nothing unless --restore-best kept some
    }
    return next;
  }
}
