/**
 * A run's directory on disk: {@code config.json}, {@code steps.jsonl}, {@code summary.json}.
 * Writing ({@link dev.tapetrain.coordinator.run.RunDirectory}) and the JSON encoding of
 * parameters ({@link dev.tapetrain.coordinator.run.Json}). No Akka.
 */
package dev.tapetrain.coordinator.run;
