package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * tapetrain-cluster.conf runs actors, Akka's internal actors and the remote streams on one small
 * pool (for latency). That pool must keep a node answering heartbeats while one of its actors
 * computes for longer than the failure detector tolerates, as a worker does on a large shard:
 * with a one-thread pool this test sees the busy node unreachable within about two seconds.
 * Two nodes in this JVM, loopback, ports chosen by the OS.
 */
class NodeConfigHeartbeatTest {

  /** Well past acceptable-heartbeat-pause (1 s) plus the heartbeat interval (0.5 s). */
  private static final Duration BUSY = Duration.ofSeconds(4);

  private ActorSystem<Void> first;
  private ActorSystem<Void> second;

  @AfterEach
  void stop() {
    for (ActorSystem<Void> s : Arrays.asList(second, first)) {
      if (s != null) {
        s.terminate();
        s.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }

  @Test
  void aNodeWhoseActorComputesForSecondsStaysReachable() throws Exception {
    first = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM,
        NodeConfig.cluster(NodeConfig.COORDINATOR_ROLE, "127.0.0.1", 0));
    Cluster watcher = Cluster.get(first);
    watcher.manager().tell(Join.create(watcher.selfMember().address()));
    second = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM,
        NodeConfig.cluster(NodeConfig.WORKER_ROLE, "127.0.0.1", 0));
    Cluster.get(second).manager().tell(Join.create(watcher.selfMember().address()));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (upMembers(watcher) < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(2, upMembers(watcher), "both nodes up");

    ActorRef<String> busy = second.systemActorOf(Behaviors.receiveMessage(m -> {
      Thread.sleep(BUSY.toMillis()); // a long gradient step, on the default dispatcher
      return Behaviors.same();
    }), "busy", Props.empty());
    busy.tell("compute");
    long end = System.nanoTime() + BUSY.plusSeconds(1).toNanos();
    while (System.nanoTime() < end) {
      assertTrue(watcher.state().getUnreachable().isEmpty(),
          "the busy node became unreachable: " + watcher.state().getUnreachable());
      Thread.sleep(100);
    }
  }

  private static long upMembers(Cluster cluster) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }
}
