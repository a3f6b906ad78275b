package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;

/** The {@link RoundPlan} a run's options ask for: the one place a new plan is chosen. */
public final class RoundPlans {

  private RoundPlans() {}

  /** The plan of {@code spec}, from {@code start} (null: a new run). */
  public static RoundPlan of(RunSpec spec, TrainingState start) {
    long done = start == null ? 0 : start.steps();
    StepPolicy policy = spec.policy();
    if (policy.epochs()) {
      // spec.steps() counts the updates of every epoch (TrainOptions made it so).
      long perEpoch = policy.stepsPerEpoch(spec.dataset());
      return new EpochPlan(spec.dataset(), policy.trainingSamples(spec.dataset()),
          spec.steps() / perEpoch, policy.batchSize(), policy.shuffle(), policy.dropLast(),
          policy.batchSeed(), done).validateEvery(policy.validateEvery());
    }
    return new StepsPlan(spec.steps(), policy.tolerance(), policy.batchFraction(),
        policy.batchSeed(), spec.dataset().numChunks(), done);
  }
}
