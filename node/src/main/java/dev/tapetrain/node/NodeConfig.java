package dev.tapetrain.node;

import akka.actor.Address;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.spi.UserError;
import java.util.List;
import java.util.Map;

/**
 * The Akka configuration of one cluster node: {@code tapetrain-cluster.conf} with this node's
 * host, port and role. Every node of one cluster uses the actor-system name {@link #SYSTEM}.
 */
public final class NodeConfig {

  /** The actor-system name shared by every node. */
  public static final String SYSTEM = "tapetrain";
  /** Role of the coordinator node (the oldest node; it survives a partition). */
  public static final String COORDINATOR_ROLE = "coordinator";
  /** Role of worker nodes. */
  public static final String WORKER_ROLE = "worker";

  private NodeConfig() {}

  /** The configuration of a node with {@code role} bound to {@code host:port} (0 = any). */
  public static Config cluster(String role, String host, int port) {
    return cluster(role, host, port, ConfigFactory.empty());
  }

  /** As {@link #cluster(String, String, int)}, with TLS settings ({@link TlsOptions}). */
  public static Config cluster(String role, String host, int port, Config tls) {
    Config node = ConfigFactory.parseMap(Map.of(
        "akka.remote.artery.canonical.hostname", host,
        "akka.remote.artery.canonical.port", port,
        "akka.cluster.roles", List.of(role)));
    // System properties win, then this node's settings, then the file, then reference.conf.
    return ConfigFactory.systemProperties()
        .withFallback(node)
        .withFallback(tls)
        .withFallback(ConfigFactory.parseResources("tapetrain-cluster.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  /**
   * A node about to start: its Akka configuration and the {@link FrameGuard} that owns its public
   * port. Close it after the actor system has terminated.
   */
  public record Node(Config config, FrameGuard guard) implements AutoCloseable {
    /** The port peers connect to. */
    public int publicPort() {
      return guard.publicPort();
    }

    @Override
    public void close() {
      guard.close();
    }
  }

  /**
   * Prepares a node with {@code role} reachable at {@code host:port} (0 = any free port): a
   * {@link FrameGuard} takes the public port and Artery binds loopback behind it. On plain TCP
   * ({@code tls} empty) the guard checks Artery's framing; with TLS, the TLS record layer (the
   * handshake then authenticates every peer before Artery reads a frame).
   *
   * @throws UserError naming {@code --host} and {@code --port} if the port cannot be bound
   */
  public static Node start(String role, String host, int port, Config tls) {
    return start(role, new NodeAddress(host, host, port), tls);
  }

  /**
   * As {@link #start(String, String, int, Config)}, listening on {@code address.bind()} and
   * advertised to the others as {@code address.host()}.
   *
   * @throws UserError naming {@code --bind} and {@code --port} if the port cannot be bound
   */
  public static Node start(String role, NodeAddress address, Config tls) {
    String host = address.host();
    String bind = address.bind();
    int port = address.port();
    boolean plain = !tls.hasPath("akka.remote.artery.transport")
        || "tcp".equals(tls.getString("akka.remote.artery.transport"));
    Config base = cluster(role, host, port, tls);
    int maxFrame = (int) Math.max(base.getBytes("akka.remote.artery.advanced.maximum-frame-size"),
        base.getBytes("akka.remote.artery.advanced.maximum-large-frame-size"));
    FrameGuard.Limits limits = guardLimits(base);
    FrameGuard guard;
    try {
      guard = plain ? FrameGuard.start(bind, port, maxFrame, limits)
          : FrameGuard.startTls(bind, port, limits);
    } catch (java.io.IOException e) {
      throw new UserError((bind.equals(host) ? "--host " : "--bind ") + bind + " --port " + port
          + ": cannot listen there (" + e.getMessage() + ")");
    }
    Config behindGuard = ConfigFactory.parseMap(Map.of(
        "akka.remote.artery.canonical.port", guard.publicPort(),
        "akka.remote.artery.bind.hostname", "127.0.0.1",
        "akka.remote.artery.bind.port", guard.internalPort()));
    return new Node(behindGuard.withFallback(base).resolve(), guard);
  }

  /**
   * The frame guard's limits from {@code tapetrain.guard} (see {@code tapetrain-cluster.conf}),
   * each overridable with {@code -Dtapetrain.guard.NAME=VALUE}.
   *
   * @throws UserError naming the setting that is missing, malformed or out of range
   */
  public static FrameGuard.Limits guardLimits(Config config) {
    String at = "tapetrain.guard";
    try {
      Config g = config.getConfig(at);
      long budget = g.getBytes("buffer-budget");
      if (budget > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("buffer-budget must be below 2 GiB, got " + budget);
      }
      return new FrameGuard.Limits(g.getInt("max-connections"),
          g.getInt("max-connections-per-address"), g.getDuration("open-timeout"),
          g.getDuration("frame-timeout"), (int) budget);
    } catch (com.typesafe.config.ConfigException | IllegalArgumentException e) {
      throw new UserError(at + ": " + e.getMessage());
    }
  }

  /**
   * Parses {@code HOST:PORT} as the address of the coordinator's node.
   *
   * @throws UserError naming {@code option} if it is not {@code HOST:PORT}
   */
  public static Address seedAddress(String option, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new UserError(option + ": expected HOST:PORT, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UserError(option + ": '" + hostPort.substring(colon + 1) + "' is not a port");
    }
    checkPort(option + "'s port", port, false);
    return new Address("akka", SYSTEM, host, port);
  }

  /** Checks a port number; 0 (any free port) only where {@code zeroAllowed}. */
  public static void checkPort(String option, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new UserError(option + " must be " + (zeroAllowed ? "0 (any free port) or " : "")
          + "between 1 and 65535, got " + port);
    }
  }
}
