/**
 * What a tapetrain cluster node (coordinator or worker process) needs before and around its actor
 * system: the Artery and failure-detection settings ({@link dev.tapetrain.node.NodeConfig}),
 * the downing rule that never downs the coordinator
 * ({@link dev.tapetrain.node.CoordinatorDowning}), the guard in front of every node's port
 * that checks Artery's framing or TLS's records and caps connections
 * ({@link dev.tapetrain.node.FrameGuard}), TLS with its certificate checks, logging that
 * sums up repeated lines ({@link dev.tapetrain.node.LogSummary}), and a node's place from the
 * environment Kubernetes operators set ({@link dev.tapetrain.node.OperatorEnvironment}) with its
 * listening and advertised addresses ({@link dev.tapetrain.node.NodeAddress}).
 * Depends on Akka (classic cluster API for the downing provider), Typesafe Config, SLF4J,
 * Jackson (TF_CONFIG is JSON), and the protocol module (its hashing); on Logback only for the
 * launchers' turbo filters, which load only where a Logback configuration names them (an
 * embedding application may log with another binding).
 *
 * <p>Sub-package {@code cli}: exit codes and one-line errors of every command.
 */
package dev.tapetrain.node;
