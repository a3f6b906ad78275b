package dev.tapetrain.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.node.CoordinatorDowning;
import dev.tapetrain.protocol.CoordinatorProtocol.Command;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.WireLimits;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.protocol.WorkerProtocol.AssignShard;
import dev.tapetrain.protocol.WorkerProtocol.ComputeGradients;
import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import dev.tapetrain.protocol.WorkerProtocol.StopWork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** The {@link Crew} of a coordinator actor: its workers' messages, sent from its context. */
final class ActorCrew implements Crew<ActorRef<WorkerProtocol.Command>> {

  private final ActorContext<Command> context;
  private final RunSpec spec;
  private final Supplier<List<NamedTensor>> params;
  private final Function<ActorRef<WorkerProtocol.Command>, Command> terminated;
  private final boolean clustered;
  private final WorkerProtocol.RejoinWindow rejoinWindow;
  // A worker's name goes into every step record; its path's string is built once.
  private final Map<ActorRef<WorkerProtocol.Command>, String> names = new HashMap<>();
  private long roundsAhead;

  /**
   * The crew of the actor of {@code context} training {@code spec} at {@code params}; a watched
   * worker that stops sends it {@code terminated}.
   */
  ActorCrew(ActorContext<Command> context, RunSpec spec, Supplier<List<NamedTensor>> params,
      Function<ActorRef<WorkerProtocol.Command>, Command> terminated) {
    this.context = context;
    this.spec = spec;
    this.params = params;
    this.terminated = terminated;
    this.clustered = isCluster(context);
    this.rejoinWindow = rejoinWindow(context, spec);
  }

  /**
   * The rounds the plan has from the round a worker loading now first takes part in (its
   * {@link RoundPlan#roundsAhead}): assignments say it, so a worker may compile its model while
   * it loads. 0 until the coordinator knows its first round.
   */
  void roundsAhead(long rounds) {
    roundsAhead = rounds;
  }

  @Override
  public void load(ActorRef<WorkerProtocol.Command> worker, List<Integer> chunks) {
    context.unwatch(worker); // a returning worker was watched with another message
    context.watchWith(worker, terminated.apply(worker));
    worker.tell(new AssignShard(spec.dataset(), spec.model(), chunks, context.getSelf(),
        rejoinWindow, roundsAhead));
  }

  private static boolean isCluster(ActorContext<Command> context) {
    return context.getSystem().settings().config().getString("akka.actor.provider")
        .equals("cluster");
  }

  /**
   * What a worker is told of taking it back: {@code --rejoin-timeout} and the downing time of
   * this node's cluster; nothing in one JVM (its workers cannot be cut off).
   */
  private static WorkerProtocol.RejoinWindow rejoinWindow(ActorContext<Command> context,
      RunSpec spec) {
    com.typesafe.config.Config config = context.getSystem().settings().config();
    if (!isCluster(context) || !config.hasPath(CoordinatorDowning.DOWN_AFTER)) {
      return WorkerProtocol.RejoinWindow.NONE;
    }
    return new WorkerProtocol.RejoinWindow(spec.rejoinTimeout(), config.getDuration(
        CoordinatorDowning.DOWN_AFTER));
  }

  @Override
  public void ask(ActorRef<WorkerProtocol.Command> worker, long round, List<Integer> chunks) {
    ask(worker, round, null, chunks);
  }

  @Override
  public void ask(ActorRef<WorkerProtocol.Command> worker, long round,
      dev.tapetrain.protocol.Batch batch, List<Integer> chunks) {
    ask(worker, round, batch, chunks, 0);
  }

  @Override
  public void ask(ActorRef<WorkerProtocol.Command> worker, long round,
      dev.tapetrain.protocol.Batch batch, List<Integer> chunks, long roundsAhead) {
    ask(worker, round, "", batch, chunks, roundsAhead);
  }

  @Override
  public void ask(ActorRef<WorkerProtocol.Command> worker, long round, String during,
      dev.tapetrain.protocol.Batch batch, List<Integer> chunks, long roundsAhead) {
    worker.tell(new ComputeGradients(round, params.get(), chunks, context.getSelf(), batch,
        roundsAhead, during));
  }

  @Override
  public void stop(ActorRef<WorkerProtocol.Command> worker, Outcome outcome, String detail) {
    worker.tell(new StopWork(outcome, detail));
  }

  /** Tells {@code late}, which came as the run ended, that it is over, and watches it stop. */
  void tellOver(ActorRef<WorkerProtocol.Command> late, String ending) {
    context.unwatch(late);
    context.watchWith(late, terminated.apply(late));
    stop(late, Outcome.OVER, ending);
  }

  @Override
  public void forget(ActorRef<WorkerProtocol.Command> worker) {
    context.unwatch(worker);
  }

  /** Why a model of {@code values} values cannot reach workers on this system, if it cannot. */
  java.util.Optional<String> wireLimit(long values) {
    com.typesafe.config.Config config = context.getSystem().settings().config();
    // In one JVM messages are not serialized: only a cluster has a frame to fit.
    return config.getString("akka.actor.provider").equals("cluster")
        ? java.util.Optional.ofNullable(WireLimits.checkModel(values, config))
        : java.util.Optional.empty();
  }

  /** Asks the cluster's failure detector of this node, which its own heartbeats feed. */
  @Override
  public boolean reaches(ActorRef<WorkerProtocol.Command> worker) {
    if (clustered) {
      akka.remote.FailureDetectorRegistry<akka.actor.Address> detector = akka.cluster.Cluster
          .get(akka.actor.typed.javadsl.Adapter.toClassic(context.getSystem())).failureDetector();
      akka.actor.Address address = worker.path().address();
      // A node this one does not heartbeat (not among the nodes it monitors) says nothing.
      return detector.isMonitoring(address) && detector.isAvailable(address);
    }
    return false;
  }

  @Override
  public String name(ActorRef<WorkerProtocol.Command> worker) {
    return names.computeIfAbsent(worker, w -> w.path().toString());
  }
}
