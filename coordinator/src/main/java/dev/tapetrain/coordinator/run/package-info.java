/**
 * A run's directory on disk: {@code config.json}, {@code steps.jsonl}, {@code checkpoint.pb},
 * {@code summary.json} and {@code run.lock}. Writing
 * ({@link dev.tapetrain.coordinator.run.RunDirectory}, one writer at a time by
 * {@link dev.tapetrain.coordinator.run.RunLock}, files replaced atomically; its appended logs
 * {@link dev.tapetrain.coordinator.run.StepLogs}; a new run's directory
 * {@link dev.tapetrain.coordinator.run.NewDirectory}), reading back
 * ({@link dev.tapetrain.coordinator.run.RunFiles} and the step log line by line,
 * {@link dev.tapetrain.coordinator.run.StepReader}, with gap detection; a line's parameters in
 * every format, {@link dev.tapetrain.coordinator.run.LoggedStep}; the whole log for a resume,
 * {@link dev.tapetrain.coordinator.run.RunLog}) and the JSON encoding of parameters
 * ({@link dev.tapetrain.coordinator.run.Json}). No Akka.
 */
package dev.tapetrain.coordinator.run;
