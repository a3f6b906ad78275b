package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.coordinator.optim.L2Penalty;
import dev.tapetrain.coordinator.optim.Optimizer;
import dev.tapetrain.coordinator.optim.Optimizers;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.models.Models;
import dev.tapetrain.protocol.NamedTensor;
import java.util.List;
import java.util.Optional;

/**
 * The arithmetic of the round loop, apart from the actor that moves the messages: the L2
 * penalty on the reduced sums, the chained step digest, the checks that the numbers are finite
 * (a run whose numbers are not stops as diverged), the optimizer's update, and the last good
 * state. No Akka; one instance per run. When training stops otherwise is the
 * {@link RoundPlan}'s to say.
 *
 * <p>Order of use, per round: {@link #withPenalty} on the reduced totals; for a logged step
 * {@link #chain}; {@link #commit}; if training goes on and the round trains, {@link #update};
 * then {@link #checkpointDue()}.
 */
final class StepMath {

  private final RunSpec spec;
  private final Optimizer optimizer;
  private final long firstUpdates;
  private L2Penalty penalty;
  private List<NamedTensor> params;
  private List<NamedTensor> lastGradients = List.of();
  private double initialLoss = Double.NaN;
  private long digest;
  private TrainingState lastGood;
  // The steps of the last state checkpointed (periodically), so none is written twice.
  private long checkpointed;
  private long updates;
  private double lastChange = Double.NaN;
  private double lastRate;
  private EpochSums epoch = new EpochSums();
  private EarlyStopping earlyStopping;
  private ReduceOnPlateau plateau;
  private List<NamedTensor> lastParams = List.of();

  /**
   * The arithmetic of {@code spec}, from {@code start} (null: from {@code initialParams}, or
   * from the model's own values once {@link #adoptModel} brings them).
   */
  StepMath(RunSpec spec, TrainingState start, List<NamedTensor> initialParams) {
    this.spec = spec;
    this.optimizer = Optimizers.create(spec.optimizer().name(), spec.optimizer().settings(),
        spec.learningRate());
    this.lastRate = spec.learningRate();
    // Which parameters are weights is the model's to say (adoptModel); none until it has.
    this.penalty = new L2Penalty(spec.policy().l2(), List.of());
    if (start == null) {
      this.params = initialParams;
      this.lastGood = new TrainingState(0, params, optimizer.state(), 0, Double.NaN, Double.NaN);
    } else {
      this.params = start.params();
      this.optimizer.restore(start.optimizerState());
      this.updates = start.steps();
      this.digest = start.stepDigest();
      this.initialLoss = start.initialLoss();
      this.lastGood = start;
      this.epoch = new EpochSums(start.epochSums());
    }
    this.earlyStopping = new EarlyStopping(spec.policy().earlyStop(),
        start == null ? List.of() : start.earlyStopping(),
        start == null ? List.of() : start.bestParams(),
        start == null ? "" : start.stoppedEarly());
    this.plateau = new ReduceOnPlateau(spec.policy().earlyStop(),
        start == null ? List.of() : start.plateau());
    this.firstUpdates = updates;
    this.checkpointed = updates;
  }

  /** The model the workers built: its weights for L2 and, for a new run, its step-0 values. */
  void adoptModel(List<NamedTensor> initial, List<String> weights, boolean resumed) {
    penalty = new L2Penalty(spec.policy().l2(), weights);
    if (!resumed) {
      params = initial;
      lastGood = new TrainingState(0, params, optimizer.state(), 0, Double.NaN, Double.NaN);
    }
  }

  /** The reduced sums with the L2 penalty added (to the loss and the weights' gradients). */
  StepReduction.Totals withPenalty(StepReduction.Totals reduced) {
    return new StepReduction.Totals(reduced.loss() + penalty.loss(params),
        penalty.gradients(params, reduced.gradients()), reduced.metrics());
  }

  /** Records the loss at the initial parameters. */
  void initialLoss(double loss) {
    initialLoss = loss;
  }

  /**
   * Chains the last step (its loss, the parameters it reached, the gradients that took it
   * there) into the digest, and returns the digest.
   */
  long chain(double loss) {
    digest = StepRecord.chain(digest, loss, params, lastGradients);
    return digest;
  }

  /**
   * Takes a round's totals at the current parameters: if they are finite, they are the last
   * good state (what a checkpoint keeps and a run that stops reports); if not, the run diverged.
   */
  Optional<Stop> commit(StepReduction.Totals totals) {
    if (!totals.finite()) {
      if (updates == firstUpdates) {
        // No update has been applied yet, so the learning rate cannot be the cause.
        return diverged("loss or gradient is not finite at the "
            + (updates == 0 ? "initial" : "resumed") + " parameters, before any update: the "
            + "data or the initial values overflow a double (check their magnitude"
            + settingsHint(spec.model().name()) + ")" + ownCodeHint(spec.model().name()));
      }
      return diverged("loss or gradient is not finite after step " + (updates - 1)
          + "; try a smaller --learning-rate (now " + spec.learningRate() + ")"
          + ownCodeHint(spec.model().name()));
    }
    lastGood = state(totals.loss());
    return Optional.empty();
  }

  /**
   * A mini-batch step was logged and its epoch's sums took it: the state its update reached is
   * the last good one, with the batch's {@code loss} (its line's). Its line is in the step log
   * already, so a run that stops before the next round completes ends after as many steps as
   * the log has lines, and resumes with the next batch (it was one behind: the state before
   * this update, and a resume redid the step).
   */
  void stepLogged(double loss) {
    lastGood = state(loss);
  }

  private TrainingState state(double loss) {
    return new TrainingState(updates, params, optimizer.state(), digest, initialLoss, loss,
        epoch.values(), earlyStopping.values(), earlyStopping.bestParams(), plateau.values(),
        lastParams, earlyStopping.stopped().orElse(""));
  }

  /** Adds a mini-batch step of {@code count} samples to the epoch in progress. */
  void addToEpoch(StepReduction.Totals totals, long count) {
    epoch.add(totals.loss(), totals.metrics(), count);
  }

  /**
   * The run's final parameters are the best epoch's (--restore-best), if one is known: they
   * replace the current ones before the final evaluation.
   */
  void restoreBest() {
    if (!earlyStopping.bestParams().isEmpty()) {
      lastParams = params; // kept for predict/export --params last
      params = earlyStopping.bestParams();
    }
  }

  /** The early-stopping rule's state, which each epoch's end moves on. */
  EarlyStopping earlyStopping() {
    return earlyStopping;
  }

  /** Reduce on plateau's state, which each epoch's end moves on. */
  ReduceOnPlateau plateau() {
    return plateau;
  }

  /** The rate of the next update: the schedule's, times reduce on plateau's multiplier. */
  double nextRate() {
    return plateau.rate(spec.schedule().rate(spec.learningRate(), updates));
  }

  /** The epoch in progress, which ends now: its sums, and a fresh epoch from here. */
  EpochSums endEpoch() {
    EpochSums ended = epoch;
    epoch = new EpochSums();
    return ended;
  }

  /**
   * Applies the optimizer to the totals' gradients at the schedule's rate of this update: the
   * next step, unless it diverged.
   */
  Optional<Stop> update(StepReduction.Totals totals) {
    double rate = nextRate();
    List<NamedTensor> next = optimizer.apply(params, totals.gradients(), rate);
    if (!Parameters.allFinite(next)) {
      return diverged("parameters are not finite after step " + updates
          + "; try a smaller --learning-rate (now " + spec.learningRate() + ")");
    }
    lastRate = rate;
    lastChange = Parameters.relativeChange(params, next);
    params = next;
    lastGradients = totals.gradients();
    updates++;
    return Optional.empty();
  }

  /** Where the user sets model {@code name}'s initial values, if anywhere: its own settings. */
  private static String settingsHint(String name) {
    return Models.settingOptions(name)
        .map(o -> o.isEmpty() ? "; --model " + name + " takes no settings"
            : " and --model " + name + "'s settings: " + String.join(", ", o))
        .orElse(" and --model " + name + "'s settings");
  }

  /**
   * For a model that is not built in (a user's own): its own code may compute the NaN (a log of
   * 0, a 0/0), which neither the data nor the learning rate explains.
   */
  private static String ownCodeHint(String name) {
    return Models.isBuiltIn(name) ? ""
        : ", or --model " + name + "'s own code computed it (check its lossSum)";
  }

  private static Optional<Stop> diverged(String why) {
    return Optional.of(new Stop(Status.DIVERGED, why));
  }

  /**
   * Whether the last good state is due for a checkpoint (every --checkpoint-every steps), once
   * per step count: a mini-batch step's state is committed after its line and again, with the
   * next batch's loss, by the next round; the first one is written.
   */
  boolean checkpointDue() {
    long steps = lastGood.steps();
    if (steps > checkpointed && steps % spec.checkpointEvery() == 0) {
      checkpointed = steps;
      return true;
    }
    return false;
  }

  /** Updates applied so far (a resumed run counts its checkpoint's). */
  long updates() {
    return updates;
  }

  /** How much the last update changed the parameters, relative to their norm (NaN: none yet). */
  double lastChange() {
    return lastChange;
  }

  /** The parameters the next round runs at. */
  List<NamedTensor> params() {
    return params;
  }

  /** The gradients of the last update. */
  List<NamedTensor> lastGradients() {
    return lastGradients;
  }

  /** The last state with a finite loss: what a checkpoint keeps and a run that stops reports. */
  TrainingState lastGood() {
    return lastGood;
  }

  /** The loss at the initial parameters (NaN until evaluated). */
  double initialLoss() {
    return initialLoss;
  }

  /** The step size of the last update (before any: {@code --learning-rate}). */
  double learningRate() {
    return lastRate;
  }
}
