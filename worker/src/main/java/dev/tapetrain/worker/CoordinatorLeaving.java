package dev.tapetrain.worker;

import akka.actor.Address;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import dev.tapetrain.node.NodeConfig;

/**
 * Follows the coordinator as it leaves the cluster. It leaves only once its run is over, so a
 * worker it has not told how the run ended (one that joined as the run was ending) learns here
 * that it did join and that there is nothing to wait for: it ends at once, instead of waiting
 * {@code --coordinator-timeout} for an unreachable coordinator and then saying it could not join.
 * The other cluster events stay with {@link WorkerMain}'s coordinator watch.
 */
final class CoordinatorLeaving {

  private CoordinatorLeaving() {}

  /** Watches for the coordinator's leaving, recording it in {@code end}. */
  static Behavior<Object> create(WorkerMain.SystemEnd end) {
    return Behaviors.setup(ctx -> {
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.MemberLeft.class));
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.MemberExited.class));
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.UnreachableMember.class));
      return Behaviors.receive(Object.class)
          .onMessage(ClusterEvent.MemberLeft.class, e -> leaving(e.member(), end))
          .onMessage(ClusterEvent.MemberExited.class, e -> leaving(e.member(), end))
          .onMessage(ClusterEvent.UnreachableMember.class, e -> {
            // Gone, not cut off: nothing to wait for.
            if (e.member().hasRole(NodeConfig.COORDINATOR_ROLE) && end.coordinatorLeaving
                && !end.settled) {
              end.settled = true;
              end.coordinatorGone = true;
              end.why = why(e.member().address(), end);
              ctx.getSystem().terminate();
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Why the job ended when the coordinator at {@code address} left the cluster. */
  static String why(Address address, WorkerMain.SystemEnd end) {
    return "the coordinator " + address + (end.coordinatorLeaving
        ? " ended its run and left the cluster before telling this worker how the run ended"
        : " left the cluster");
  }

  private static Behavior<Object> leaving(Member member, WorkerMain.SystemEnd end) {
    if (member.hasRole(NodeConfig.COORDINATOR_ROLE)) {
      end.joined = true;
      end.coordinatorLeaving = true;
    }
    return Behaviors.same();
  }
}
