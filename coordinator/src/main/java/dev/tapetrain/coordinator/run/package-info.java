/**
 * A run's directory on disk: {@code config.json}, {@code steps.jsonl}, {@code checkpoint.pb},
 * {@code summary.json} and {@code run.lock}. Writing
 * ({@link dev.tapetrain.coordinator.run.RunDirectory}, one writer at a time by
 * {@link dev.tapetrain.coordinator.run.RunLock}, files replaced atomically), reading back
 * ({@link dev.tapetrain.coordinator.run.RunLog}, with gap detection) and the JSON encoding of
 * parameters ({@link dev.tapetrain.coordinator.run.Json}). No Akka.
 */
package dev.tapetrain.coordinator.run;
