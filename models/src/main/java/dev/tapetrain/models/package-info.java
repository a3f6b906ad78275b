/**
 * The models tapetrain trains, written with the tape engine: the {@link
 * dev.tapetrain.models.Model} interface (named parameters, a loss sum, predictions, metric
 * sums), the built-in linear, logistic, softmax and MLP models ({@link
 * dev.tapetrain.models.BuiltInModels}), a user's own found by name ({@link
 * dev.tapetrain.models.Models}, {@link java.util.ServiceLoader}), one chunk's loss, gradient
 * and metric sums of any model ({@link dev.tapetrain.models.ModelGradients}), and the same sums
 * traced and compiled into one loop where the tape compiler can take the model ({@link
 * dev.tapetrain.models.CompiledModel}).
 *
 * <p>Depends on the {@code tape} and {@code spi} modules only: no Akka, no protocol, nothing of
 * workers or the coordinator. A model is data to everything outside this package: named
 * parameter tensors with shapes and initial values, and a loss written with the tape.
 */
package dev.tapetrain.models;
