package dev.tapetrain.worker;

import com.typesafe.config.Config;
import dev.tapetrain.node.NodeAddress;
import dev.tapetrain.node.NodeConfig;

/**
 * The node (public port and {@link dev.tapetrain.node.FrameGuard}) each of a worker process's
 * actor systems runs on. A worker given a port ({@code --port P}) keeps it across rejoins: one
 * public port for the life of the process. A worker given any free port ({@code --port 0}, the
 * default) takes a new one for each fresh actor system after the first, so to the coordinator
 * the rejoining worker is a new node, not a new incarnation of the one it removed. A pinned port
 * rejoins as a new incarnation on the same address, which the coordinator takes on once its node
 * is Up (see the coordinator's {@code WorkerListing}).
 *
 * <p>Order of use: {@link #forAttempt} before each actor system is created, after the one before
 * it terminated; {@link #close} at the end.
 */
final class RejoinNode implements AutoCloseable {

  private final NodeAddress address;
  private final Config tls;
  private NodeConfig.Node node;

  /** Starts the first node at {@code address}. */
  RejoinNode(NodeAddress address, Config tls) {
    this.address = address;
    this.tls = tls;
    this.node = NodeConfig.start(NodeConfig.WORKER_ROLE, address, tls);
  }

  /** The node for actor system number {@code attempt} (0: the first). */
  NodeConfig.Node forAttempt(int attempt) {
    if (attempt > 0 && address.port() == 0) {
      node.close();
      node = NodeConfig.start(NodeConfig.WORKER_ROLE, address, tls);
    }
    return node;
  }

  @Override
  public void close() {
    node.close();
  }
}
