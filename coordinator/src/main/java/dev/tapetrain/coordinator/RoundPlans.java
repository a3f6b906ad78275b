package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.spec.RunSpec;

/** The {@link RoundPlan} a run's options ask for: the one place a new plan is chosen. */
public final class RoundPlans {

  private RoundPlans() {}

  /** The plan of {@code spec}, from {@code start} (null: a new run). */
  public static RoundPlan of(RunSpec spec, TrainingState start) {
    return new StepsPlan(spec.steps(), spec.policy().tolerance(), spec.policy().batchFraction(),
        spec.policy().batchSeed(), spec.dataset().numChunks(), start == null ? 0 : start.steps());
  }
}
