/**
 * A trained model read back from a run directory, and scoring with it. Order of use:
 * {@link dev.tapetrain.localrunner.trained.TrainedModel#load} once, then
 * {@link dev.tapetrain.localrunner.trained.TrainedModel#score} per block of rows; the
 * {@code predict} and {@code export} commands are built on these two.
 */
package dev.tapetrain.localrunner.trained;
