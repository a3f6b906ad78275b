/**
 * Command-line pieces shared by {@code local-runner} and {@code coordinator}: the training
 * options of the command-line contract (README "Options") ({@link dev.tapetrain.coordinator.cli.TrainOptions}) and
 * the exception for a bad option value. No Akka.
 */
package dev.tapetrain.coordinator.cli;
