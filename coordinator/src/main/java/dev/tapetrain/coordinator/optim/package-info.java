/**
 * Optimizers: the update rule applied by the coordinator to the reduced mean gradients.
 * Plain Java; no Akka, no I/O.
 */
package dev.tapetrain.coordinator.optim;
