/**
 * What a tapetrain cluster node (coordinator or worker process) needs before and around its actor
 * system: the Artery and failure-detection settings ({@link dev.tapetrain.node.NodeConfig}),
 * the downing rule that never downs the coordinator
 * ({@link dev.tapetrain.node.CoordinatorDowning}), the guard that checks Artery's
 * framing in front of a plain-TCP port ({@link dev.tapetrain.node.FrameGuard}) and TLS.
 * Depends on Akka (classic cluster API for the downing provider), Typesafe Config, SLF4J and
 * the protocol module (its hashing).
 *
 * <p>Sub-package {@code cli}: exit codes and one-line errors of every command.
 */
package dev.tapetrain.node;
