package dev.tapetrain.worker;

import akka.actor.Address;
import dev.tapetrain.node.LoggingSslEngineProvider;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/** Why a worker could not join its coordinator, in the one line it exits with. */
final class JoinFailure {

  private JoinFailure() {
  }

  /**
   * The line for a worker that did not join {@code seed} (given as {@code join}) within
   * {@code joinFor}: a failed TLS handshake, a name that never resolved (a worker the
   * environment placed does not require it at start: a pod's Service name may resolve only once
   * the coordinator's pod runs), or nothing answering.
   */
  static String why(String join, Address seed, Duration joinFor, boolean tls) {
    String tlsRefusal = LoggingSslEngineProvider.lastRefusal();
    return "could not join the coordinator at " + join + " within " + joinFor.toSeconds()
        + " s: " + (tlsRefusal != null
            ? "the TLS handshake failed (" + tlsRefusal + "). Check that both sides' "
                + "certificates come from a CA the other trusts and match its "
                + "--tls-allowed-names"
            : !resolves(seed) ? "its name '" + seed.host().get() + "' still does not resolve "
                + "here (check the name; under Kubernetes, the Service's name and namespace)"
            : probed(seed, tls));
  }

  /**
   * The likely cause a probe of the port finds: nothing listening, a TLS coordinator for a
   * plain worker, or a coordinator that answers to another name of the same address (Akka
   * Artery drops a handshake addressed to any name but its own --host, so {@code localhost}
   * does not reach a coordinator listening as {@code 127.0.0.1}).
   */
  private static String probed(Address seed, boolean tls) {
    String host = seed.host().get();
    int port = (Integer) seed.port().get();
    String checklist = "Check that the coordinator runs (its first line prints its address), "
        + "that --join matches its --host and --port, that the port is open between the "
        + "machines, and that both sides use the same TLS settings";
    switch (CoordinatorProbe.probe(host, port, !tls)) {
      case NOTHING_LISTENS:
        return "nothing listens there (no connection to " + host + ":" + port + "). " + checklist;
      case SPEAKS_TLS:
        return "the coordinator there speaks TLS and this worker plain TCP: give the worker "
            + "the coordinator's --tls options (keystore, truststore, their passwords)";
      default:
        String literal = literal(host);
        if (literal != null) {
          return "something listens at " + host + ":" + port + " (" + literal + ") but no "
              + "coordinator answered to the name '" + host + "': Akka needs --join to name "
              + "the coordinator exactly as its --host does (e.g. --join " + literal + ":" + port
              + " for a coordinator with --host " + literal + ", not " + host + "; its first "
              + "line prints the --join to copy)";
        }
        return "something listens there but no tapetrain coordinator answered to that address: "
            + "Akka needs --join to name the coordinator exactly as its --host does (its first "
            + "line prints the --join to copy). " + checklist;
    }
  }

  /** The address a host name stands for, or null if {@code host} is an address itself. */
  private static String literal(String host) {
    if (host.matches("[0-9.]+") || host.contains(":") || host.startsWith("[")) {
      return null;
    }
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Whether the coordinator's name resolves here. */
  static boolean resolves(Address seed) {
    try {
      InetAddress.getByName(seed.host().get());
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
