package dev.tapetrain.coordinator;

import akka.actor.Address;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Which of the workers the receptionist lists the coordinator may take on now: those whose node
 * is a member that has been Up (or whose address is not a cluster node's: one JVM).
 *
 * <p>Why not every listed worker: a worker is listed as soon as its node joins, but Akka's
 * death watch of a node that is still Joining goes by its address, and an address whose earlier
 * incarnation was removed from the cluster is a tombstone there: watching a worker on it answers
 * {@code Terminated} at once (Akka 2.6 {@code ClusterRemoteWatcher.addWatch}, "Death watch …
 * triggered immediately because member was removed from cluster"). A worker on a pinned
 * {@code --port} that rejoined after being downed came back as exactly that, was lost the moment
 * it was asked to load, and never got back into the run (issue 25; found with PartitionTest).
 * Once its node is Up the watch is an ordinary cluster watch. This class mirrors the node set
 * Akka's watcher keeps: an address is added when a member on it is Up (or WeaklyUp) and taken out
 * when a member on it is removed, in the order the cluster publishes those events.
 *
 * @param <W> a worker (an actor reference in the coordinator; anything with an address in tests)
 */
final class WorkerListing<W> {

  private final Function<W, Address> addressOf;
  private final Set<Address> upNodes = new LinkedHashSet<>();
  private Set<W> listed = Set.of();
  private Set<W> passed = Set.of();

  /** @param addressOf the address of a worker's node (no host: in this JVM) */
  WorkerListing(Function<W, Address> addressOf) {
    this.addressOf = addressOf;
  }

  /** The receptionist's listing changed to {@code workers}. */
  void listed(Set<W> workers) {
    listed = Set.copyOf(workers);
  }

  /** A member on {@code node} is Up (or WeaklyUp). */
  void nodeUp(Address node) {
    upNodes.add(node);
  }

  /** A member on {@code node} was removed (any incarnation: Akka's watcher forgets the address). */
  void nodeRemoved(Address node) {
    upNodes.remove(node);
  }

  /**
   * The listed workers the coordinator may take on, if they differ from what it was last given
   * (null: no news).
   */
  Set<W> news() {
    Set<W> now = new LinkedHashSet<>();
    for (W w : listed) {
      Address node = addressOf.apply(w);
      if (node.host().isEmpty() || upNodes.contains(node)) {
        now.add(w);
      }
    }
    if (now.equals(passed)) {
      return null;
    }
    passed = Set.copyOf(now);
    return passed;
  }
}
