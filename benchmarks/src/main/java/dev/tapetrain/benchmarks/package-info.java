/**
 * Benchmarks. JMH: {@link dev.tapetrain.benchmarks.TapeBenchmark} (the tape engine against a
 * hand-fused loop over the same arrays, in one run) and
 * {@link dev.tapetrain.benchmarks.StepBenchmark} (time per step in one JVM). A command:
 * {@link dev.tapetrain.benchmarks.ClusterBenchmark} (real coordinator and worker processes).
 * Timing lives here, never in pass/fail tests.
 */
package dev.tapetrain.benchmarks;
