/**
 * What a tapetrain cluster node (coordinator or worker process) needs before and around its actor
 * system: the Artery and failure-detection settings ({@link dev.tapetrain.protocol.node.NodeConfig}),
 * the downing rule that never downs the coordinator
 * ({@link dev.tapetrain.protocol.node.CoordinatorDowning}), the guard that checks Artery's
 * framing in front of a plain-TCP port ({@link dev.tapetrain.protocol.node.FrameGuard}) and TLS.
 * Depends on Akka (classic cluster API for the downing provider), Typesafe Config and SLF4J only.
 */
package dev.tapetrain.protocol.node;
