package dev.tapetrain.node;

import akka.actor.AbstractActorWithTimers;
import akka.actor.ActorSystem;
import akka.actor.Address;
import akka.actor.Props;
import akka.cluster.Cluster;
import akka.cluster.ClusterEvent;
import akka.cluster.DowningProvider;
import akka.cluster.Member;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * tapetrain's downing rule, replacing Akka's Split Brain Resolver: <b>the coordinator is never
 * downed, and only the coordinator downs</b> — a worker that has been unreachable for
 * {@code tapetrain.down-unreachable-after} (default 15 s). Worker nodes down nobody.
 *
 * <p>Why not the Split Brain Resolver: a training cluster has one node that matters (the
 * coordinator holds the run) and workers that are interchangeable. SBR's strategies decide which
 * side of a partition survives and may down every node ({@code down-all-when-unstable}, or
 * {@code keep-oldest} with {@code down-if-alone} when all workers are cut off), which ended whole
 * runs on a 5 s network blip. Here a blip only moves chunks: the coordinator gives an unreachable
 * worker's chunks to the others within seconds (it follows reachability, not membership), takes
 * the worker back when it is reachable again, and a worker downed after a long partition starts
 * a fresh actor system and joins again. A dead worker is removed after the timeout, so new
 * workers can still join while it is gone.
 *
 * <p>Configured in {@code tapetrain-cluster.conf} as {@code akka.cluster.downing-provider-class}.
 */
public final class CoordinatorDowning extends DowningProvider {

  /** Configuration path of the time after which an unreachable worker is downed. */
  public static final String DOWN_AFTER = "tapetrain.down-unreachable-after";

  private final ActorSystem system;

  /** Called by Akka with the node's actor system. */
  public CoordinatorDowning(ActorSystem system) {
    this.system = system;
  }

  @Override
  public FiniteDuration downRemovalMargin() {
    return FiniteDuration.Zero();
  }

  @Override
  public Option<Props> downingActorProps() {
    Duration after = system.settings().config().getDuration(DOWN_AFTER);
    return Option.apply(Props.create(Downer.class, () -> new Downer(after)));
  }

  /** On the coordinator's node: downs workers unreachable for too long. Elsewhere: idle. */
  static final class Downer extends AbstractActorWithTimers {

    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorDowning.class);

    private record DownIfStillUnreachable(Address address) {}

    private final Duration after;
    private final Cluster cluster = Cluster.get(getContext().getSystem());

    Downer(Duration after) {
      this.after = after;
    }

    @Override
    public void preStart() {
      if (cluster.selfMember().hasRole(NodeConfig.COORDINATOR_ROLE)) {
        cluster.subscribe(getSelf(), ClusterEvent.initialStateAsEvents(),
            ClusterEvent.UnreachableMember.class, ClusterEvent.ReachableMember.class,
            ClusterEvent.MemberRemoved.class);
      }
    }

    @Override
    public void postStop() {
      cluster.unsubscribe(getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(ClusterEvent.UnreachableMember.class, e -> onUnreachable(e.member()))
          .match(ClusterEvent.ReachableMember.class,
              e -> getTimers().cancel(e.member().address()))
          .match(ClusterEvent.MemberRemoved.class, e -> getTimers().cancel(e.member().address()))
          .match(DownIfStillUnreachable.class, this::onTimeout)
          .matchAny(m -> { })
          .build();
    }

    private void onUnreachable(Member member) {
      if (!member.hasRole(NodeConfig.COORDINATOR_ROLE)) {
        getTimers().startSingleTimer(member.address(),
            new DownIfStillUnreachable(member.address()), after);
      }
    }

    private void onTimeout(DownIfStillUnreachable m) {
      boolean stillUnreachable = cluster.state().getUnreachable().stream()
          .anyMatch(u -> u.address().equals(m.address()));
      akka.remote.FailureDetectorRegistry<Address> own = cluster.failureDetector();
      switch (decide(stillUnreachable, own.isMonitoring(m.address()),
          own.isAvailable(m.address()))) {
        case DOWN -> {
          LOG.warn("downing worker node {}: unreachable for {} s ({})", m.address(),
              after.toSeconds(), DOWN_AFTER);
          cluster.down(m.address());
        }
        case WAIT -> {
          // Only gossip says so (another node cannot reach it): this coordinator can, so the
          // worker is healthy; look again later in case it really goes.
          LOG.info("not downing worker node {}: reported unreachable by another node, but this "
              + "coordinator still reaches it", m.address());
          getTimers().startSingleTimer(m.address(), m, after);
        }
        case NOTHING -> { }
      }
    }
  }

  /** What the coordinator does when a worker's downing timer fires. */
  enum Decision {
    /** Down the node. */
    DOWN,
    /** Keep it, and look again after the same time. */
    WAIT,
    /** Nothing: it is reachable again. */
    NOTHING
  }

  /**
   * The downing rule: a worker node still unreachable in the cluster's merged (gossip) view is
   * downed only if this coordinator's own failure detector agrees, or does not monitor it (then
   * gossip is all it has). Issue 25, item 5: at the moment a partition heals, the nodes that were
   * cut off report the coordinator's side unreachable for a moment; a healthy worker must not be
   * downed for that.
   *
   * @param stillUnreachable whether the merged view still has the node unreachable
   * @param monitored        whether this node's failure detector monitors it
   * @param availableToMe    whether this node's failure detector says it is available
   */
  static Decision decide(boolean stillUnreachable, boolean monitored, boolean availableToMe) {
    if (!stillUnreachable) {
      return Decision.NOTHING;
    }
    return monitored && availableToMe ? Decision.WAIT : Decision.DOWN;
  }
}
