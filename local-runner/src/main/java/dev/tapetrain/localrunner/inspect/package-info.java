/**
 * {@code local-runner inspect}: reads run directories and prints summaries, step and worker
 * tables, loss plots and the first difference between two runs. Reads files only; no Akka.
 */
package dev.tapetrain.localrunner.inspect;
