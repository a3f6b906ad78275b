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
  static String why(String join, Address seed, Duration joinFor) {
    String tlsRefusal = LoggingSslEngineProvider.lastRefusal();
    return "could not join the coordinator at " + join + " within " + joinFor.toSeconds()
        + " s: " + (tlsRefusal != null
            ? "the TLS handshake failed (" + tlsRefusal + "). Check that both sides' "
                + "certificates come from a CA the other trusts and match its "
                + "--tls-allowed-names"
            : !resolves(seed) ? "its name '" + seed.host().get() + "' still does not resolve "
                + "here (check the name; under Kubernetes, the Service's name and namespace)"
            : "nothing there answered as a tapetrain coordinator. Check that the "
                + "coordinator runs (its first line prints its address), that --join matches "
                + "its --host and --port, that the port is open between the machines, and "
                + "that both sides use the same TLS settings");
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
