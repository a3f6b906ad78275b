/**
 * Loading a worker's chunks into {@link dev.tapetrain.worker.data.Segment}s, each sample written
 * once: synthetic samples generated from {@code (seed, sample index)}, or the rows of a CSV file
 * (hashed, so a different copy is refused). No Akka; depends on {@code protocol}'s dataset
 * specification only.
 */
package dev.tapetrain.worker.data;
