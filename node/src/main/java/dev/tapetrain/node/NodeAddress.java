package dev.tapetrain.node;

import dev.tapetrain.node.OperatorEnvironment.Fact;
import dev.tapetrain.node.OperatorEnvironment.Role;
import dev.tapetrain.spi.UserError;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a node listens and how the others reach it, which differ in a container or behind NAT:
 * Artery's {@code canonical.hostname} is {@code host} (what the others dial, e.g. a Kubernetes
 * service name), while the node's frame guard binds {@code bind} (e.g. every interface,
 * {@code 0.0.0.0}).
 *
 * @param host the address the node advertises
 * @param bind the address the node listens on
 * @param port the port it listens on and advertises (0: any free one)
 */
public record NodeAddress(String host, String bind, int port) {

  /** Without options and environment a node stays on loopback. */
  public static final String LOOPBACK = "127.0.0.1";
  /** In an operator's environment a node listens on every interface. */
  public static final String EVERY_INTERFACE = "0.0.0.0";

  /**
   * The address from the options {@code --host}, {@code --bind}, {@code --port} (each null if
   * not given) and the environment's {@code role} (empty if none): the environment fills what the
   * options leave out, a worker the environment names no address for advertises
   * {@code localAddress} (a pod's own address), and a node placed by the environment binds every
   * interface unless {@code --bind} says otherwise.
   *
   * @throws dev.tapetrain.spi.UserError if an option contradicts the environment, or
   *     {@code --host} is empty or a wildcard address no other node could dial
   */
  public static NodeAddress resolve(String host, String bind, Integer port, int defaultPort,
      Optional<Role> role, Supplier<String> localAddress) {
    if (host != null) {
      requireReachable(host);
    }
    if (bind != null && bind.isBlank()) {
      throw new UserError("--bind '" + bind + "': empty (expected an address of this machine, "
          + "or 0.0.0.0 for every interface)");
    }
    if (role.isEmpty()) {
      String h = host != null ? host : LOOPBACK;
      return new NodeAddress(h, bind != null ? bind : h, port != null ? port : defaultPort);
    }
    Role r = role.get();
    r.ownHost().ifPresent(expected -> r.agree("--host", host, expected, Fact.HOST));
    r.ownPort().ifPresent(expected -> r.agree("--port", port, expected, Fact.PORT));
    String h = host != null ? host : r.ownHost().orElseGet(localAddress);
    int p = port != null ? port : r.ownPort().orElse(defaultPort);
    return new NodeAddress(h, bind != null ? bind : EVERY_INTERFACE, p);
  }

  /**
   * A warning for a node that advertises a loopback address ({@code host}, taken from this
   * machine's name: Debian maps it to 127.0.1.1) while its coordinator is at
   * {@code coordinatorHost}, a literal address that is not loopback: a coordinator on another
   * machine would dial this node at home and never reach it (torchrun's classic trap). Empty
   * when either is a name (no DNS lookup here) or both are loopback; on one machine with the
   * coordinator at its own LAN address the run still works, hence a warning, not a refusal.
   */
  public static Optional<String> loopbackWarning(String host, String coordinatorHost) {
    if (!isLiteral(host) || !isLiteral(coordinatorHost)) {
      return Optional.empty();
    }
    try {
      if (InetAddress.getByName(strip(host)).isLoopbackAddress()
          && !InetAddress.getByName(strip(coordinatorHost)).isLoopbackAddress()) {
        return Optional.of("this node advertises " + host + ", a loopback address (this "
            + "machine's name resolves to it), while the coordinator is at " + coordinatorHost
            + ": a coordinator on another machine cannot reach it; give --host ADDRESS (an "
            + "address of this machine the coordinator can reach)");
      }
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean isLiteral(String host) {
    String h = strip(host);
    return h.matches("[0-9.]+") || h.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
  }

  private static String strip(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
        : host;
  }

  /**
   * {@code --host} is what the others dial and what the coordinator prints in its join hint:
   * empty or a wildcard ({@code 0.0.0.0}, {@code ::}) names no machine, and such a node starts
   * but is never reached. Listening on every interface is {@code --bind}'s job.
   */
  private static void requireReachable(String host) {
    String why = host.isBlank() ? "empty" : isWildcard(host) ? "a wildcard address" : null;
    if (why != null) {
      throw new UserError("--host '" + host + "': " + why + "; it must be an address the "
          + "others can reach this node by (to listen on every interface use --bind "
          + EVERY_INTERFACE + ")");
    }
  }

  /** Whether {@code host} is an IP literal for "any local address" (no DNS lookup). */
  private static boolean isWildcard(String host) {
    String h = host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1) : host;
    if (!h.matches("[0-9.]+") && !h.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
      return false; // a name: resolving it here could block, and no name means "any"
    }
    try {
      return InetAddress.getByName(h).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false; // not a literal after all: left to the later checks
    }
  }
}
