/** {@code local-runner predict}: scores a CSV file with a run's trained model. */
package dev.tapetrain.localrunner.predict;
