/**
 * Benchmarks. JMH: {@link dev.tapetrain.benchmarks.TapeBenchmark} (the tape engine against a
 * hand-fused loop over the same arrays, in one run) and
 * {@link dev.tapetrain.benchmarks.StepBenchmark} (time per step in one JVM). Commands that print
 * a table: {@link dev.tapetrain.benchmarks.PeerBenchmark} (whole jobs against numpy, TensorFlow
 * and PyTorch), {@link dev.tapetrain.benchmarks.ClusterBenchmark} (real coordinator and worker
 * processes), {@link dev.tapetrain.benchmarks.ScaleBenchmark} (one coordinator, up to 256
 * workers) and {@link dev.tapetrain.benchmarks.GuardBenchmark} (the frame guard's hop).
 * Timing lives here, never in pass/fail tests.
 */
package dev.tapetrain.benchmarks;
