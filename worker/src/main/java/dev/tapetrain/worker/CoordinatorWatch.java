package dev.tapetrain.worker;

import akka.actor.Address;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import akka.remote.artery.ThisActorSystemQuarantinedEvent;
import dev.tapetrain.node.NodeConfig;
import dev.tapetrain.protocol.WorkerProtocol;

/**
 * A worker process's watch on its coordinator, one per actor system (see {@link WorkerMain}):
 * records the join, ends the system when the coordinator leaves or stays unreachable longer
 * than the {@link RejoinPolicy} allows, and ends it to start afresh once this node was removed
 * from the cluster. What it decides goes into the system's {@link WorkerMain.SystemEnd}.
 */
final class CoordinatorWatch {

  private CoordinatorWatch() {}

  private record CoordinatorSilent(Address address) {}

  private record StartAfresh(Address address) {}

  /**
   * Follows the coordinator's node: records the join, ends the system when the coordinator
   * leaves, or when it stays unreachable longer than the {@link RejoinPolicy} allows (shorter
   * blips pass); ends it to start afresh once this node was removed from the cluster (downed or
   * quarantined), or surely was by a coordinator silent that long.
   */
  static Behavior<Object> create(RejoinPolicy policy, WorkerMain.SystemEnd end) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.MemberDowned.class));
      ctx.getSystem().eventStream().tell(new akka.actor.typed.eventstream.EventStream.Subscribe<>(
          ThisActorSystemQuarantinedEvent.class, ctx.getSelf().narrow()));
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(), SelfUp.class));
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.MemberUp.class));
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.MemberRemoved.class));
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.UnreachableMember.class));
      cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.ReachableMember.class));
      return Behaviors.receive(Object.class)
          .onMessage(SelfUp.class, e -> {
            end.joined = true;
            policy.heard();
            return Behaviors.same();
          })
          .onMessage(WorkerProtocol.AssignShard.class, m -> {
            policy.admitted(m.rejoin());
            return Behaviors.same();
          })
          .onMessage(ClusterEvent.MemberDowned.class, e -> {
            // Akka shuts this system down; the removal events that follow say nothing of the
            // coordinator.
            if (e.member().uniqueAddress().equals(cluster.selfMember().uniqueAddress())) {
              end.afresh = "this worker was removed from the cluster by the coordinator (it was "
                  + "unreachable too long)";
            }
            return Behaviors.same();
          })
          .onMessage(ThisActorSystemQuarantinedEvent.class, e -> {
            if (end.afresh == null && !end.settled) {
              end.afresh = "this worker was removed from the cluster ("
                  + e.remoteAddress().address() + " no longer talks to it)";
              ctx.getSystem().terminate();
            }
            return Behaviors.same();
          })
          .onMessage(ClusterEvent.MemberUp.class, e -> {
            // Gossip from the coordinator's cluster reached us: we joined, even if not Up yet.
            if (e.member().hasRole(NodeConfig.COORDINATOR_ROLE)) {
              end.joined = true;
            }
            return Behaviors.same();
          })
          .onMessage(ClusterEvent.MemberRemoved.class, e -> {
            // Only a coordinator that left removes itself; one seen Up last is removed from
            // this node's view because this node is shutting down.
            if (e.member().hasRole(NodeConfig.COORDINATOR_ROLE) && !end.settled
                && end.afresh == null && left(e.previousStatus())) {
              end.settled = true;
              end.coordinatorGone = true;
              end.why = CoordinatorLeaving.why(e.member().address(), end);
              ctx.getSystem().terminate();
            }
            return Behaviors.same();
          })
          .onMessage(ClusterEvent.UnreachableMember.class, e -> {
            if (e.member().hasRole(NodeConfig.COORDINATOR_ROLE)) {
              long now = System.nanoTime();
              policy.silent(now);
              ctx.getLog().warn("coordinator {} unreachable; waiting up to {} s for it",
                  e.member().address(), policy.left(now).toSeconds());
              timers.startSingleTimer(CoordinatorSilent.class,
                  new CoordinatorSilent(e.member().address()), policy.left(now));
              policy.startAfreshIn(now).ifPresent(in -> timers.startSingleTimer(
                  StartAfresh.class, new StartAfresh(e.member().address()), in));
            }
            return Behaviors.same();
          })
          .onMessage(ClusterEvent.ReachableMember.class, e -> {
            if (e.member().hasRole(NodeConfig.COORDINATOR_ROLE)) {
              ctx.getLog().warn("coordinator {} reachable again", e.member().address());
              timers.cancel(CoordinatorSilent.class);
              timers.cancel(StartAfresh.class);
              policy.heard();
            }
            return Behaviors.same();
          })
          .onMessage(CoordinatorSilent.class, e -> {
            if (end.settled || end.afresh != null) {
              return Behaviors.same();
            }
            end.settled = true;
            end.why = policy.gaveUp(e.address().toString());
            ctx.getSystem().terminate();
            return Behaviors.same();
          })
          .onMessage(StartAfresh.class, e -> {
            if (end.settled || end.afresh != null) {
              return Behaviors.same();
            }
            end.afresh = policy.startsAfresh(e.address().toString());
            ctx.getSystem().terminate();
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** Whether a member removed after {@code previous} had left (not: was removed from view). */
  private static boolean left(MemberStatus previous) {
    return previous.equals(MemberStatus.exiting()) || previous.equals(MemberStatus.leaving())
        || previous.equals(MemberStatus.down());
  }
}
