package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.actor.Address;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A worker is passed to the coordinator only once its node is Up: watching a worker whose node
 * is still Joining on the address of a removed incarnation answers Terminated at once in Akka
 * 2.6, and the worker would be lost before it ever loaded (issue 25, a pinned --port).
 */
class WorkerListingTest {

  /** A worker: its name and node. */
  private record W(String name, Address node) {}

  private static Address node(int port) {
    return new Address("akka", "tapetrain", "10.0.0.2", port);
  }

  private final WorkerListing<W> listing = new WorkerListing<>(W::node);

  @Test
  void aWorkerIsPassedOnceItsNodeIsUp() {
    W a = new W("a", node(2552));
    listing.listed(Set.of(a));
    assertNull(listing.news(), "listed while its node is Joining: not yet");
    listing.nodeUp(node(2552));
    assertEquals(Set.of(a), listing.news());
    assertNull(listing.news(), "no news twice");
  }

  @Test
  void aNewIncarnationOnTheSameAddressWaitsForItsOwnUp() {
    W old = new W("old", node(2552));
    listing.nodeUp(node(2552));
    listing.listed(Set.of(old));
    assertEquals(Set.of(old), listing.news());
    // Downed and removed after a partition; the worker starts a fresh system on the same port.
    listing.nodeRemoved(node(2552));
    listing.listed(Set.of());
    assertEquals(Set.of(), listing.news());
    W fresh = new W("fresh", node(2552));
    listing.listed(Set.of(fresh));
    assertNull(listing.news(), "Joining on a removed node's address: watching it now would fail");
    listing.nodeUp(node(2552));
    assertEquals(Set.of(fresh), listing.news());
  }

  @Test
  void workersInThisJvmAndOnOtherNodesAreIndependent() {
    W local = new W("local", new Address("akka", "tapetrain"));
    W b = new W("b", node(40001));
    W c = new W("c", node(40002));
    listing.nodeUp(node(40001));
    listing.listed(Set.of(local, b, c));
    assertEquals(Set.of(local, b), listing.news(), "a worker of this JVM needs no node");
    listing.nodeRemoved(node(40001));
    listing.listed(Set.of(local, c));
    assertEquals(Set.of(local), listing.news());
  }
}
