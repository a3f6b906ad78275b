package dev.tapetrain.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import dev.tapetrain.protocol.CoordinatorProtocol.Command;
import dev.tapetrain.protocol.WorkerProtocol;
import java.util.Set;
import java.util.function.Function;

/**
 * A child of the coordinator that follows the receptionist's listing of workers and the
 * cluster's members, and tells the coordinator the workers it may take on
 * ({@link WorkerListing}: a worker once its node is Up) whenever that set changes.
 */
final class ListedWorkers {

  private ListedWorkers() {}

  /**
   * @param coordinator who is told
   * @param wrap        the coordinator's message for a set of workers
   */
  static Behavior<Object> create(ActorRef<Command> coordinator,
      Function<Set<ActorRef<WorkerProtocol.Command>>, Command> wrap) {
    return Behaviors.setup(ctx -> {
      WorkerListing<ActorRef<WorkerProtocol.Command>> listing =
          new WorkerListing<>(w -> w.path().address());
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(WorkerProtocol.SERVICE_KEY,
          ctx.getSelf().narrow()));
      if (ctx.getSystem().settings().config().getString("akka.actor.provider")
          .equals("cluster")) {
        // The current members arrive first, as events.
        Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
            ClusterEvent.MemberEvent.class));
      }
      return Behaviors.receive(Object.class)
          .onMessage(Receptionist.Listing.class, m -> {
            listing.listed(m.getServiceInstances(WorkerProtocol.SERVICE_KEY));
            return tell(listing, coordinator, wrap);
          })
          .onMessage(ClusterEvent.MemberUp.class, e -> {
            listing.nodeUp(e.member().address());
            return tell(listing, coordinator, wrap);
          })
          .onMessage(ClusterEvent.MemberWeaklyUp.class, e -> {
            listing.nodeUp(e.member().address());
            return tell(listing, coordinator, wrap);
          })
          .onMessage(ClusterEvent.MemberRemoved.class, e -> {
            listing.nodeRemoved(e.member().address());
            return tell(listing, coordinator, wrap);
          })
          .onAnyMessage(m -> Behaviors.same())
          .build();
    });
  }

  private static Behavior<Object> tell(WorkerListing<ActorRef<WorkerProtocol.Command>> listing,
      ActorRef<Command> coordinator,
      Function<Set<ActorRef<WorkerProtocol.Command>>, Command> wrap) {
    Set<ActorRef<WorkerProtocol.Command>> news = listing.news();
    if (news != null) {
      coordinator.tell(wrap.apply(news));
    }
    return Behaviors.same();
  }
}
