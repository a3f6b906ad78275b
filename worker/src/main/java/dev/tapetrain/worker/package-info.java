/**
 * The worker: the {@link dev.tapetrain.worker.Worker} actor, which holds a shard of chunks and
 * answers {@code ComputeGradients} with per-chunk sums, and {@code WorkerMain}, its process.
 *
 * <p>The actor only moves messages: numbers are computed by
 * {@link dev.tapetrain.worker.model.LinearModel} on the tape engine, data are loaded by
 * {@link dev.tapetrain.worker.data.ShardLoader}. Depends on {@code protocol}; never on the
 * coordinator.
 */
package dev.tapetrain.worker;
