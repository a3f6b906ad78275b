/**
 * The coordinator: the {@link dev.tapetrain.coordinator.Coordinator} actor (waits for workers,
 * assigns chunks, runs the step loop, reduces chunk results in chunk order, survives lost
 * workers) and the plain classes it delegates to: {@link dev.tapetrain.coordinator.ChunkAssignment},
 * {@link dev.tapetrain.coordinator.StepReduction}, the optimizers and the run-directory writers.
 *
 * <p>Depends on {@code protocol}; never on the worker module or the tape engine.
 */
package dev.tapetrain.coordinator;
