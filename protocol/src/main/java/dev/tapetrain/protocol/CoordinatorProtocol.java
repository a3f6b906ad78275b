package dev.tapetrain.protocol;

import akka.actor.typed.ActorRef;
import java.util.List;
import java.util.Objects;

/**
 * Messages a coordinator receives from workers. Each names its sender, so the coordinator can
 * recognise (and drop) an answer from a worker it no longer counts on.
 */
public final class CoordinatorProtocol {

  private CoordinatorProtocol() {}

  /** Everything a coordinator receives over the wire (it has private messages of its own too). */
  public interface Command {}

  /** A worker loaded the chunks it was assigned. */
  public record ShardAssigned(ActorRef<WorkerProtocol.Command> worker, List<Integer> chunks,
      String dataDigest, ModelLayout layout) implements Command, WireMessage {
    /** Copies the chunk list. */
    public ShardAssigned {
      Objects.requireNonNull(worker, "worker");
      chunks = List.copyOf(chunks);
      Objects.requireNonNull(dataDigest, "dataDigest");
      Objects.requireNonNull(layout, "layout");
    }

    /** An answer without a model layout (tests, and workers before models were plug-ins). */
    public ShardAssigned(ActorRef<WorkerProtocol.Command> worker, List<Integer> chunks,
        String dataDigest) {
      this(worker, chunks, dataDigest, ModelLayout.NONE);
    }
  }

  /** A worker could not load its shard (missing file, different copy, …). */
  public record ShardRejected(ActorRef<WorkerProtocol.Command> worker, String reason)
      implements Command, WireMessage {
    /** Checks the fields. */
    public ShardRejected {
      Objects.requireNonNull(worker, "worker");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A worker's answer to {@link WorkerProtocol.ComputeGradients} of round {@code round}: one
   * result per chunk asked (or per node of the chunk tree), split over several messages when
   * they would not fit one frame.
   */
  public record GradientsComputed(long round, ActorRef<WorkerProtocol.Command> worker,
      List<ChunkResult> results, long computeNanos) implements Command, WireMessage {
    /** Copies the results. */
    public GradientsComputed {
      Objects.requireNonNull(worker, "worker");
      results = List.copyOf(results);
    }
  }

  /**
   * The sums of one chunk in one round — or of {@code span} chunks from {@code chunk} on, a node
   * of the {@link ChunkTree} a worker added in the tree's order: the model's loss summed over
   * its {@code count} samples, per parameter the gradient of that sum, and the model's metric
   * sums (e.g. correct predictions). Sums, not means, so that completing the tree and dividing by
   * N gives the full-batch mean whatever the shards.
   */
  public record ChunkResult(int chunk, long count, double lossSum, List<NamedTensor> gradients,
      List<Double> metricSums, int span) {
    /** Copies the lists; a span is a power of two, the chunk aligned to it. */
    public ChunkResult {
      gradients = List.copyOf(gradients);
      metricSums = List.copyOf(metricSums);
      if (span < 1 || Integer.bitCount(span) != 1 || chunk % span != 0) {
        throw new IllegalArgumentException("a result covers an aligned power-of-two range of "
            + "chunks, not " + span + " from chunk " + chunk);
      }
    }

    /** One chunk's result. */
    public ChunkResult(int chunk, long count, double lossSum, List<NamedTensor> gradients,
        List<Double> metricSums) {
      this(chunk, count, lossSum, gradients, metricSums, 1);
    }

    /** One chunk's result without metrics. */
    public ChunkResult(int chunk, long count, double lossSum, List<NamedTensor> gradients) {
      this(chunk, count, lossSum, gradients, List.of(), 1);
    }
  }
}
