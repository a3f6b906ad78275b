/**
 * The coordinator: the {@link dev.tapetrain.coordinator.Coordinator} actor, which is its
 * messages and phases (waiting for workers, loading, training round by round, stalled without
 * workers, stopping), and the plain classes that do the work, each tested without Akka: the
 * workers a run starts with ({@link dev.tapetrain.coordinator.WorkerChoice}), who takes part
 * ({@link dev.tapetrain.coordinator.WorkerRoster} over
 * {@link dev.tapetrain.coordinator.ChunkAssignment},
 * {@link dev.tapetrain.coordinator.ModelAgreement}),
 * the recovery log, one round's answers and their reduction in chunk order
 * ({@link dev.tapetrain.coordinator.Evaluation}, {@link dev.tapetrain.coordinator.StepReduction}),
 * the round plan ({@link dev.tapetrain.coordinator.RoundPlan}) and the step arithmetic, and what
 * a run tells ({@link dev.tapetrain.coordinator.TrainingEvent}) and keeps
 * ({@link dev.tapetrain.coordinator.RunStore}). Optimizers, the run's specification and the run
 * directory live in sub-packages.
 *
 * <p>Depends on {@code protocol}; never on the worker module or the tape engine.
 */
package dev.tapetrain.coordinator;
