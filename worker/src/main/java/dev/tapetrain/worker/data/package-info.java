/**
 * Loading a worker's chunks: synthetic samples generated from {@code (seed, sample index)}, or
 * the rows of a CSV file. No Akka; depends on {@code protocol}'s dataset specification only.
 */
package dev.tapetrain.worker.data;
