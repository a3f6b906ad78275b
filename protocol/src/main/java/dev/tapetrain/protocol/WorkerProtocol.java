package dev.tapetrain.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.List;
import java.util.Objects;

/**
 * Messages a worker receives. The worker actor lives in the {@code worker} module; its messages
 * live here so that the coordinator can send them without depending on the worker.
 */
public final class WorkerProtocol {

  /** Workers register under this key with the Receptionist; the coordinator subscribes to it. */
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "tapetrain-worker");

  private WorkerProtocol() {}

  /** Everything a worker understands. */
  public sealed interface Command permits AssignShard, ComputeGradients, StopWork {}

  /**
   * Load these chunks of this dataset and keep them for the run; answered with
   * {@link CoordinatorProtocol.ShardAssigned} or {@link CoordinatorProtocol.ShardRejected}.
   * A later assignment replaces the earlier one.
   */
  public record AssignShard(DatasetSpec dataset, ModelSpec model, List<Integer> chunks,
      ActorRef<CoordinatorProtocol.Command> replyTo) implements Command, WireMessage {
    /** Copies the chunk list. */
    public AssignShard {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(model, "model");
      chunks = List.copyOf(chunks);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Evaluate the loss sum and gradient sums of each of {@code chunks} at {@code params};
   * answered with one {@link CoordinatorProtocol.GradientsComputed} carrying {@code step}.
   * A chunk the worker has not loaded yet (it was reassigned from a lost worker) is loaded first.
   */
  public record ComputeGradients(long step, List<NamedTensor> params, List<Integer> chunks,
      ActorRef<CoordinatorProtocol.Command> replyTo) implements Command, WireMessage {
    /** Copies the lists; the chunks are kept as {@link ChunkRuns}. */
    public ComputeGradients {
      params = List.copyOf(params);
      chunks = ChunkRuns.of(chunks);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** The job is over: the worker stops (and its process exits, when it runs alone). */
  public record StopWork(String reason) implements Command, WireMessage {
    /** Checks the reason. */
    public StopWork {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
