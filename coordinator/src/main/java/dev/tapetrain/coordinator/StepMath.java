package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.coordinator.optim.L2Penalty;
import dev.tapetrain.coordinator.optim.Optimizer;
import dev.tapetrain.coordinator.optim.Optimizers;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.util.List;

/**
 * The arithmetic of the step loop, apart from the actor that moves the messages: the L2
 * penalty on the reduced sums, the chained step digest, the decisions to stop (diverged,
 * completed, converged) and the optimizer's update. No Akka; one instance per run.
 *
 * <p>Order of use, per evaluation {@code k} (the loss at the parameters after {@code k}
 * updates): {@link #withPenalty} on the reduced totals; for a logged step {@link #chain}; then
 * {@link #decide}, which either says why the run stops or applies the update and says whether a
 * checkpoint of {@link #lastGood()} is due.
 */
final class StepMath {

  /** What {@link #decide} concluded: stop with a status and message, or go on. */
  record Decision(Status stop, String message, boolean checkpointDue) {
    static Decision stop(Status status, String message) {
      return new Decision(status, message, false);
    }

    boolean goesOn() {
      return stop == null;
    }
  }

  private final RunSpec spec;
  private final Optimizer optimizer;
  private final long firstEvaluation;
  private L2Penalty penalty;
  private List<NamedTensor> params;
  private List<NamedTensor> lastGradients = List.of();
  private double initialLoss = Double.NaN;
  private long digest;
  private TrainingState lastGood;
  private boolean converged;

  /**
   * The arithmetic of {@code spec}, from {@code start} (null: from {@code initialParams}, or
   * from the model's own values once {@link #adoptModel} brings them).
   */
  StepMath(RunSpec spec, TrainingState start, List<NamedTensor> initialParams) {
    this.spec = spec;
    this.optimizer = Optimizers.create(spec.optimizer().name(), spec.optimizer().settings(),
        spec.learningRate());
    // Which parameters are weights is the model's to say (adoptModel); none until it has.
    this.penalty = new L2Penalty(spec.policy().l2(), List.of());
    if (start == null) {
      this.params = initialParams;
      this.firstEvaluation = 0;
      this.lastGood = new TrainingState(0, params, optimizer.state(), 0, Double.NaN, Double.NaN);
    } else {
      this.params = start.params();
      this.optimizer.restore(start.optimizerState());
      this.firstEvaluation = start.steps();
      this.digest = start.stepDigest();
      this.initialLoss = start.initialLoss();
      this.lastGood = start;
    }
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

  /** Records the loss at the initial parameters (evaluation 0). */
  void initialLoss(double loss) {
    initialLoss = loss;
  }

  /**
   * Chains the logged step {@code k − 1} (its loss, the parameters it reached, the gradients that
   * took it there) into the digest, and returns the digest.
   */
  long chain(double loss) {
    digest = StepRecord.chain(digest, loss, params, lastGradients);
    return digest;
  }

  /**
   * Decides after evaluation {@code k} whose totals are {@code totals}: stop (diverged,
   * completed, converged), or apply the optimizer and go on.
   */
  Decision decide(long k, StepReduction.Totals totals) {
    if (!totals.finite()) {
      if (k == firstEvaluation) {
        // No update has been applied yet, so the learning rate cannot be the cause.
        return Decision.stop(Status.DIVERGED, "loss or gradient is not finite at the "
            + (k == 0 ? "initial" : "resumed") + " parameters, before any update: the data or "
            + "the initial values overflow a double (check their magnitude, --init-w and "
            + "--init-b)");
      }
      return Decision.stop(Status.DIVERGED, "loss or gradient is not finite after step "
          + (k - 1) + "; try a smaller --learning-rate (now " + spec.learningRate() + ")");
    }
    lastGood = new TrainingState(k, params, optimizer.state(), digest, initialLoss,
        totals.loss());
    if (k == spec.steps()) {
      return Decision.stop(Status.COMPLETED, "");
    }
    if (converged) {
      return Decision.stop(Status.CONVERGED, "parameters changed by less than --tolerance "
          + spec.policy().tolerance() + " (relative) in step " + (k - 1));
    }
    List<NamedTensor> next = optimizer.apply(params, totals.gradients());
    if (!Parameters.allFinite(next)) {
      return Decision.stop(Status.DIVERGED, "parameters are not finite after step " + k
          + "; try a smaller --learning-rate (now " + spec.learningRate() + ")");
    }
    converged = spec.policy().tolerance() > 0
        && Parameters.relativeChange(params, next) < spec.policy().tolerance();
    params = next;
    lastGradients = totals.gradients();
    return new Decision(null, "", k > firstEvaluation && k % spec.checkpointEvery() == 0);
  }

  /** The parameters the next evaluation runs at. */
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

  /** The optimizer's step size. */
  double learningRate() {
    return optimizer.learningRate();
  }
}
