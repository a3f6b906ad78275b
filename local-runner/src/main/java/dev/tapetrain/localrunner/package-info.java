/**
 * The single-JVM runner: one ActorSystem with one coordinator and N workers, the same behaviours
 * that run across machines. Depends on {@code worker} and {@code coordinator}.
 */
package dev.tapetrain.localrunner;
