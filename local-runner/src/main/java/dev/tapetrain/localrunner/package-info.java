/**
 * The single-JVM runner: one ActorSystem with one coordinator and N workers, the same behaviours
 * that run across machines ({@link dev.tapetrain.localrunner.LocalLauncher}, shared with the
 * Java API in {@code api}), and {@code tapetrain launch}
 * ({@link dev.tapetrain.localrunner.Launch}), which runs the coordinator or a worker as a
 * Kubernetes operator's variables say. Depends on {@code worker} and {@code coordinator}.
 */
package dev.tapetrain.localrunner;
