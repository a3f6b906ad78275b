/**
 * Training from Java code instead of the command line:
 * {@link dev.tapetrain.localrunner.api.Trainer} (options → {@code fit()}) returns a {@link dev.tapetrain.localrunner.api.TrainedRun} (predict,
 * parameters, metrics, run directory). Same engine, files and bits as {@code local-runner}: the
 * options are its command line's. A failure is a
 * {@link dev.tapetrain.localrunner.api.TrainingFailedException}; the API never exits or halts the
 * caller's JVM. See {@code docs/api.md}.
 *
 * <p>Depends on local-runner's launcher and the coordinator's run; nothing here is used by them.
 */
package dev.tapetrain.localrunner.api;
