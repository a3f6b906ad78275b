/**
 * The worker: the {@link dev.tapetrain.worker.Worker} actor, which holds a shard of chunks and
 * answers {@code ComputeGradients} with the sums of its chunks, and {@code WorkerMain}, its
 * process.
 *
 * <p>The actor only moves messages: numbers are computed by {@link
 * dev.tapetrain.worker.shard.ShardEvaluator} (the model's tape, eager or compiled), data are
 * loaded by {@link dev.tapetrain.data.ShardLoader}. Depends on {@code protocol}, {@code node},
 * {@code models} and {@code data}; never on the coordinator.
 */
package dev.tapetrain.worker;
