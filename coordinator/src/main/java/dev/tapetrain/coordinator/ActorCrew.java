package dev.tapetrain.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import dev.tapetrain.coordinator.spec.RunSpec;
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
  // A worker's name goes into every step record; its path's string is built once.
  private final Map<ActorRef<WorkerProtocol.Command>, String> names = new HashMap<>();

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
  }

  @Override
  public void load(ActorRef<WorkerProtocol.Command> worker, List<Integer> chunks) {
    context.unwatch(worker); // a returning worker was watched with another message
    context.watchWith(worker, terminated.apply(worker));
    worker.tell(new AssignShard(spec.dataset(), spec.model(), chunks, context.getSelf()));
  }

  @Override
  public void ask(ActorRef<WorkerProtocol.Command> worker, long round, List<Integer> chunks) {
    worker.tell(new ComputeGradients(round, params.get(), chunks, context.getSelf()));
  }

  @Override
  public void stop(ActorRef<WorkerProtocol.Command> worker, Outcome outcome, String detail) {
    worker.tell(new StopWork(outcome, detail));
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

  @Override
  public String name(ActorRef<WorkerProtocol.Command> worker) {
    return names.computeIfAbsent(worker, w -> w.path().toString());
  }
}
