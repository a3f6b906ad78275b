/**
 * The models tapetrain trains, written with the tape engine: the {@link
 * dev.tapetrain.worker.model.Model} interface (named parameters, a loss sum, predictions, metric
 * sums), the built-in linear, logistic, softmax and MLP models ({@link
 * dev.tapetrain.worker.model.BuiltInModels}), a user's own found by name ({@link
 * dev.tapetrain.worker.model.Models}, {@link java.util.ServiceLoader}), and the evaluation of a
 * worker's chunks ({@link dev.tapetrain.worker.model.ShardEvaluator}). No Akka.
 */
package dev.tapetrain.worker.model;
