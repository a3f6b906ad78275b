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
   * A later assignment replaces the earlier one. {@code roundsAhead}: at most how many rounds
   * the coordinator's plan has from the first one this worker takes part in (0: not said), so
   * that it may compile its model while it loads when that work is worth the compile.
   */
  public record AssignShard(DatasetSpec dataset, ModelSpec model, List<Integer> chunks,
      ActorRef<CoordinatorProtocol.Command> replyTo, RejoinWindow rejoin, long roundsAhead)
      implements Command, WireMessage {
    /** Copies the chunk list; refuses negative {@code roundsAhead}. */
    public AssignShard {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(model, "model");
      chunks = List.copyOf(chunks);
      Objects.requireNonNull(replyTo, "replyTo");
      Objects.requireNonNull(rejoin, "rejoin");
      if (roundsAhead < 0) {
        throw new IllegalArgumentException("roundsAhead must be >= 0, got " + roundsAhead);
      }
    }

    /** An assignment that says nothing of the rounds ahead (as before 2026-12-07). */
    public AssignShard(DatasetSpec dataset, ModelSpec model, List<Integer> chunks,
        ActorRef<CoordinatorProtocol.Command> replyTo, RejoinWindow rejoin) {
      this(dataset, model, chunks, replyTo, rejoin, 0);
    }

    /** An assignment that says nothing of taking the worker back ({@link RejoinWindow#NONE}). */
    public AssignShard(DatasetSpec dataset, ModelSpec model, List<Integer> chunks,
        ActorRef<CoordinatorProtocol.Command> replyTo) {
      this(dataset, model, chunks, replyTo, RejoinWindow.NONE);
    }
  }

  /**
   * How long a coordinator takes back a worker cut off from it, told at admission so that the
   * worker keeps trying at least that long: the coordinator's {@code --rejoin-timeout} (how long
   * a run left without workers waits) and {@code tapetrain.down-unreachable-after} (how long a
   * worker may be unreachable before the coordinator removes it from the cluster; a removed
   * worker starts a fresh actor system and joins again). Whole milliseconds, as on the wire.
   */
  public record RejoinWindow(java.time.Duration rejoinTimeout, java.time.Duration downAfter) {
    /** Nothing said (a coordinator from before 2026-12-06, or one that takes nobody back). */
    public static final RejoinWindow NONE =
        new RejoinWindow(java.time.Duration.ZERO, java.time.Duration.ZERO);

    /** Truncates both to whole milliseconds; refuses negative ones. */
    public RejoinWindow {
      rejoinTimeout = java.time.Duration.ofMillis(rejoinTimeout.toMillis());
      downAfter = java.time.Duration.ofMillis(downAfter.toMillis());
      if (rejoinTimeout.isNegative() || downAfter.isNegative()) {
        throw new IllegalArgumentException("negative rejoin window " + rejoinTimeout + ", "
            + downAfter);
      }
    }
  }

  /**
   * Evaluate the loss sum and gradient sums of each of {@code chunks} at {@code params} for
   * round {@code round} of the coordinator's round plan; answered with
   * {@link CoordinatorProtocol.GradientsComputed} carrying {@code round}. A chunk the worker has
   * not loaded yet (it was reassigned from a lost worker) is loaded first. With a
   * {@code batch}, each chunk's sums are over its members of that mini-batch only; null: over
   * every sample of the chunk. {@code roundsAhead}: how many more rounds like this one the
   * coordinator plans after it, at most (0: not said); a worker uses it to choose when to
   * compile its model, never for a result. {@code during}: what the round computes as the step
   * log numbers it ("in step 2", "while computing the initial loss"; the coordinator's
   * {@code RoundNames}), so a worker's own messages name the step the user sees, not the
   * round's number; empty: not said.
   */
  public record ComputeGradients(long round, List<NamedTensor> params, List<Integer> chunks,
      ActorRef<CoordinatorProtocol.Command> replyTo, Batch batch, long roundsAhead,
      String during) implements Command, WireMessage {
    /** Copies the lists; the chunks are kept as {@link ChunkRuns}. */
    public ComputeGradients {
      params = List.copyOf(params);
      chunks = ChunkRuns.of(chunks);
      Objects.requireNonNull(replyTo, "replyTo");
      Objects.requireNonNull(during, "during");
      if (roundsAhead < 0) {
        throw new IllegalArgumentException("negative rounds ahead " + roundsAhead);
      }
    }

    /** A round that does not say what it computes. */
    public ComputeGradients(long round, List<NamedTensor> params, List<Integer> chunks,
        ActorRef<CoordinatorProtocol.Command> replyTo, Batch batch, long roundsAhead) {
      this(round, params, chunks, replyTo, batch, roundsAhead, "");
    }

    /**
     * What the round computes, for a message: {@link #during} as the coordinator said it, or
     * (an older coordinator) the round's number.
     */
    public String describe() {
      return during.isEmpty() ? "in round " + round : during;
    }

    /** A round with no word on the rounds after it. */
    public ComputeGradients(long round, List<NamedTensor> params, List<Integer> chunks,
        ActorRef<CoordinatorProtocol.Command> replyTo, Batch batch) {
      this(round, params, chunks, replyTo, batch, 0);
    }

    /** A round over every sample of {@code chunks} (no mini-batch). */
    public ComputeGradients(long round, List<NamedTensor> params, List<Integer> chunks,
        ActorRef<CoordinatorProtocol.Command> replyTo) {
      this(round, params, chunks, replyTo, null);
    }
  }

  /**
   * The job is over for this worker: the worker stops (and its process exits, when it runs
   * alone, with a code that follows from {@code outcome}).
   *
   * @param outcome how the run ended, or why this worker is out of it
   * @param detail  why, in words; empty for a completed run
   */
  public record StopWork(Outcome outcome, String detail) implements Command, WireMessage {
    /** Checks the fields. */
    public StopWork {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(detail, "detail");
    }

    /**
     * The outcome and detail in words, as a worker reports them: {@code completed},
     * {@code failed: no worker left …}, {@code refused by the coordinator: its data differ …}.
     */
    public String reason() {
      return switch (outcome) {
        case REFUSED -> "refused by the coordinator: " + detail;
        case DROPPED -> "dropped by the coordinator: " + detail;
        case OVER -> "the run is over (" + detail + "); nothing for this worker to do";
        default -> detail.isEmpty() ? outcome.label() : outcome.label() + ": " + detail;
      };
    }
  }

  /** Why a worker is told to stop: the run ended (one of its end states), or it is out of it. */
  public enum Outcome {
    /** The run did all its steps. */
    COMPLETED,
    /** The run stopped early: its parameters stopped changing (--tolerance). */
    CONVERGED,
    /** A non-finite loss, gradient or parameter stopped the run. */
    DIVERGED,
    /** The run failed (no worker left, a full disk, …). */
    FAILED,
    /** The run was stopped by a signal. */
    INTERRUPTED,
    /** This worker was not admitted (its data or model differ, it cannot load its shard). */
    REFUSED,
    /** This worker held chunks and lost them (it missed a deadline, failed to load, …). */
    DROPPED,
    /**
     * The run had ended when this worker registered ({@code detail}: how): it joined late, or
     * came back after the run went on without it; nothing went wrong for it.
     */
    OVER;

    /** Whether the job this worker served ended well, so that its process exits 0. */
    public boolean succeeded() {
      return this == COMPLETED || this == CONVERGED || this == OVER;
    }

    /** The lower-case name, as in summary.json's status. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
