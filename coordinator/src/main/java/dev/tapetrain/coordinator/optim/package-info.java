/**
 * Optimizers: the update rule applied by the coordinator to the reduced mean gradients. Each is
 * a plug-in with declared settings ({@link dev.tapetrain.coordinator.optim.OptimizerFactory},
 * found by {@link dev.tapetrain.coordinator.optim.Optimizers}): sgd, momentum and adam are built
 * in, a user's is one class and a services line. {@link
 * dev.tapetrain.coordinator.optim.LearningRateSchedule} gives the rate of each update, which the
 * optimizer takes per update. Plain Java; no Akka, no I/O.
 */
package dev.tapetrain.coordinator.optim;
