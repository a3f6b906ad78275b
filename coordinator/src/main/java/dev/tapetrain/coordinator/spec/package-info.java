/**
 * A run's specification as the coordinator holds it: what decides the numbers (learning rate,
 * optimizer, step policy, dataset, model) and how the run is carried out (workers, timeouts,
 * logging). Never sent to a worker: workers receive the dataset and model specifications of
 * {@code dev.tapetrain.protocol}.
 */
package dev.tapetrain.coordinator.spec;
