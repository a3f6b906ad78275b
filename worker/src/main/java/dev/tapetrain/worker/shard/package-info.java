/**
 * A worker's shard: its chunks in memory or in the column cache ({@link
 * dev.tapetrain.worker.shard.ShardChunks}) and the evaluation of the model on them ({@link
 * dev.tapetrain.worker.shard.ShardEvaluator}), each chunk's sums added into the nodes of the
 * chunk tree, on one thread or on the worker's own pool ({@link
 * dev.tapetrain.worker.shard.EvaluationThreads}) with the same bits; and the layout a worker
 * reports of the model it built ({@link dev.tapetrain.worker.shard.ModelLayouts}). No actors:
 * the {@code Worker} calls in.
 */
package dev.tapetrain.worker.shard;
