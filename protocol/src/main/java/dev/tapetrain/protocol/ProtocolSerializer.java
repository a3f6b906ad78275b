package dev.tapetrain.protocol;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tapetrain.protocol.proto.AssignShardProto;
import dev.tapetrain.protocol.proto.ChunkResultProto;
import dev.tapetrain.protocol.proto.ComputeGradientsProto;
import dev.tapetrain.protocol.proto.GradientsComputedProto;
import dev.tapetrain.protocol.proto.ModelFailedProto;
import dev.tapetrain.protocol.proto.ShardAssignedProto;
import dev.tapetrain.protocol.proto.ShardRejectedProto;
import dev.tapetrain.protocol.proto.StopOutcomeProto;
import dev.tapetrain.protocol.proto.StopWorkProto;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one Akka serializer of tapetrain: maps every {@link WireMessage} record to its protobuf
 * message and back. Manifests are short and stable (never class names), so classes can be
 * renamed without breaking the wire; {@code ActorRef}s travel as strings through
 * {@link ActorRefResolver}.
 *
 * <p>Registered in {@code reference.conf} for {@link WireMessage}.
 */
public final class ProtocolSerializer extends SerializerWithStringManifest {

  /** Serializer identifier; Akka reserves 0 to 40. */
  public static final int IDENTIFIER = 7301;

  static final String ASSIGN_SHARD = "as";
  static final String COMPUTE_GRADIENTS = "cg";
  static final String STOP_WORK = "sw";
  static final String SHARD_ASSIGNED = "sa";
  static final String SHARD_REJECTED = "sr";
  static final String GRADIENTS_COMPUTED = "gc";
  static final String MODEL_FAILED = "mf";

  private static Batch batch(dev.tapetrain.protocol.proto.BatchProto b) {
    return new Batch(b.getSeed(), b.getEpoch(), b.getShuffle(), b.getSamples(), b.getFrom(),
        b.getCount(), b.getOffset());
  }

  private final ExtendedActorSystem system;
  // Resolved lazily: the typed extension is not available while serializers are being created.
  private volatile ActorRefResolver resolver;

  /** Called reflectively by Akka's serialization extension. */
  public ProtocolSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof WorkerProtocol.AssignShard) {
      return ASSIGN_SHARD;
    } else if (o instanceof WorkerProtocol.ComputeGradients) {
      return COMPUTE_GRADIENTS;
    } else if (o instanceof WorkerProtocol.StopWork) {
      return STOP_WORK;
    } else if (o instanceof CoordinatorProtocol.ShardAssigned) {
      return SHARD_ASSIGNED;
    } else if (o instanceof CoordinatorProtocol.ShardRejected) {
      return SHARD_REJECTED;
    } else if (o instanceof CoordinatorProtocol.GradientsComputed) {
      return GRADIENTS_COMPUTED;
    } else if (o instanceof CoordinatorProtocol.ModelFailed) {
      return MODEL_FAILED;
    }
    throw new IllegalArgumentException("tapetrain cannot serialize " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof WorkerProtocol.AssignShard m) {
      return AssignShardProto.newBuilder()
          .setDataset(ProtoCodec.toProto(m.dataset()))
          .setModel(ProtoCodec.toProto(m.model()))
          .addAllChunks(m.chunks())
          .setReplyTo(refToString(m.replyTo()))
          .setRejoinTimeoutMillis(m.rejoin().rejoinTimeout().toMillis())
          .setDownAfterMillis(m.rejoin().downAfter().toMillis())
          .setRoundsAhead(m.roundsAhead())
          .build().toByteArray();
    } else if (o instanceof WorkerProtocol.ComputeGradients m) {
      ComputeGradientsProto.Builder b = ComputeGradientsProto.newBuilder()
          .setRound(m.round())
          .addAllParams(ProtoCodec.tensorsToProto(m.params()))
          .setReplyTo(refToString(m.replyTo()))
          .setRoundsAhead(m.roundsAhead())
          .setDuring(m.during());
      ChunkRuns chunks = ChunkRuns.of(m.chunks());
      for (int r = 0; r < chunks.runCount(); r++) {
        b.addChunkRuns(chunks.first(r)).addChunkRuns(chunks.count(r));
      }
      if (m.batch() != null) {
        Batch x = m.batch();
        b.setBatch(dev.tapetrain.protocol.proto.BatchProto.newBuilder().setSeed(x.seed())
            .setEpoch(x.epoch()).setShuffle(x.shuffle()).setSamples(x.samples())
            .setFrom(x.from()).setCount(x.count()).setOffset(x.offset()));
      }
      return b.build().toByteArray();
    } else if (o instanceof WorkerProtocol.StopWork m) {
      return StopWorkProto.newBuilder()
          .setOutcome(StopOutcomeProto.valueOf("OUTCOME_" + m.outcome().name()))
          .setDetail(m.detail())
          .build().toByteArray();
    } else if (o instanceof CoordinatorProtocol.ShardAssigned m) {
      return ShardAssignedProto.newBuilder()
          .setWorker(refToString(m.worker()))
          .addAllChunks(m.chunks())
          .setDataDigest(m.dataDigest())
          .setLayout(ProtoCodec.toProto(m.layout()))
          .build().toByteArray();
    } else if (o instanceof CoordinatorProtocol.ShardRejected m) {
      return ShardRejectedProto.newBuilder()
          .setWorker(refToString(m.worker()))
          .setReason(m.reason())
          .build().toByteArray();
    } else if (o instanceof CoordinatorProtocol.GradientsComputed m) {
      GradientsComputedProto.Builder b = GradientsComputedProto.newBuilder()
          .setRound(m.round())
          .setWorker(refToString(m.worker()))
          .setComputeNanos(m.computeNanos());
      for (CoordinatorProtocol.ChunkResult r : m.results()) {
        b.addResults(ProtoCodec.toProto(r));
      }
      return b.build().toByteArray();
    } else if (o instanceof CoordinatorProtocol.ModelFailed m) {
      return ModelFailedProto.newBuilder()
          .setRound(m.round())
          .setWorker(refToString(m.worker()))
          .setError(m.error())
          .build().toByteArray();
    }
    throw new IllegalArgumentException("tapetrain cannot serialize " + o.getClass().getName());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      return decode(bytes, manifest);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      NotSerializableException failure = new NotSerializableException(
          "tapetrain message with manifest [" + manifest + "] does not decode: " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }

  private Object decode(byte[] bytes, String manifest)
      throws InvalidProtocolBufferException, NotSerializableException {
    switch (manifest) {
      case ASSIGN_SHARD: {
        AssignShardProto p = AssignShardProto.parseFrom(bytes);
        // Absent in messages from before models were plug-ins: the tutorial's linear model.
        ModelSpec model = p.hasModel() ? ProtoCodec.fromProto(p.getModel())
            : new ModelSpec(ModelSpec.LINEAR, 0, 42,
                java.util.Map.of("init-w", "5.0", "init-b", "10.0"));
        // Absent before 2026-12-06: 0, nothing said.
        WorkerProtocol.RejoinWindow rejoin = new WorkerProtocol.RejoinWindow(
            java.time.Duration.ofMillis(Math.max(0, p.getRejoinTimeoutMillis())),
            java.time.Duration.ofMillis(Math.max(0, p.getDownAfterMillis())));
        // Absent before 2026-12-07: 0, nothing said.
        return new WorkerProtocol.AssignShard(ProtoCodec.fromProto(p.getDataset()), model,
            p.getChunksList(), stringToRef(p.getReplyTo()), rejoin,
            Math.max(0, p.getRoundsAhead()));
      }
      case COMPUTE_GRADIENTS: {
        ComputeGradientsProto p = ComputeGradientsProto.parseFrom(bytes);
        int[] runs = new int[p.getChunkRunsCount()];
        for (int i = 0; i < runs.length; i++) {
          runs[i] = p.getChunkRuns(i);
        }
        // A sender from before chunk runs lists every id (field 3).
        List<Integer> chunks = p.getChunksCount() > 0 ? p.getChunksList()
            : ChunkRuns.fromRuns(runs);
        return new WorkerProtocol.ComputeGradients(p.getRound(),
            ProtoCodec.tensorsFromProto(p.getParamsList()), chunks,
            stringToRef(p.getReplyTo()), p.hasBatch() ? batch(p.getBatch()) : null,
            Math.max(0, p.getRoundsAhead()), p.getDuring());
      }
      case STOP_WORK:
        return stopWork(StopWorkProto.parseFrom(bytes));
      case SHARD_ASSIGNED: {
        ShardAssignedProto p = ShardAssignedProto.parseFrom(bytes);
        return new CoordinatorProtocol.ShardAssigned(stringToRef(p.getWorker()),
            p.getChunksList(), p.getDataDigest(),
            p.hasLayout() ? ProtoCodec.fromProto(p.getLayout()) : ModelLayout.NONE);
      }
      case SHARD_REJECTED: {
        ShardRejectedProto p = ShardRejectedProto.parseFrom(bytes);
        return new CoordinatorProtocol.ShardRejected(stringToRef(p.getWorker()), p.getReason());
      }
      case GRADIENTS_COMPUTED: {
        GradientsComputedProto p = GradientsComputedProto.parseFrom(bytes);
        List<CoordinatorProtocol.ChunkResult> results = new ArrayList<>(p.getResultsCount());
        for (ChunkResultProto r : p.getResultsList()) {
          results.add(ProtoCodec.fromProto(r));
        }
        return new CoordinatorProtocol.GradientsComputed(p.getRound(), stringToRef(p.getWorker()),
            results, p.getComputeNanos());
      }
      case MODEL_FAILED: {
        ModelFailedProto p = ModelFailedProto.parseFrom(bytes);
        return new CoordinatorProtocol.ModelFailed(p.getRound(), stringToRef(p.getWorker()),
            p.getError());
      }
      default:
        throw new NotSerializableException(
            "unknown tapetrain message manifest [" + manifest + "]; is the sender a newer version?");
    }
  }

  /**
   * A StopWork; from a sender before outcomes (2026-12-06), read from its one reason text: a
   * status label, or a refusal or drop with its reason after the prefix; any other text is a
   * failure with that text as its detail.
   */
  private static WorkerProtocol.StopWork stopWork(StopWorkProto p) {
    if (p.getOutcome() != StopOutcomeProto.OUTCOME_UNSPECIFIED) {
      if (p.getOutcome() == StopOutcomeProto.UNRECOGNIZED) {
        throw new IllegalArgumentException("unknown stop outcome " + p.getOutcomeValue());
      }
      return new WorkerProtocol.StopWork(WorkerProtocol.Outcome.valueOf(
          p.getOutcome().name().substring("OUTCOME_".length())), p.getDetail());
    }
    String reason = p.getReason();
    for (WorkerProtocol.Outcome o : WorkerProtocol.Outcome.values()) {
      if (o.label().equals(reason)) {
        return new WorkerProtocol.StopWork(o, "");
      }
    }
    for (WorkerProtocol.Outcome o : List.of(WorkerProtocol.Outcome.REFUSED,
        WorkerProtocol.Outcome.DROPPED)) {
      String prefix = o.label() + " by the coordinator: ";
      if (reason.startsWith(prefix)) {
        return new WorkerProtocol.StopWork(o, reason.substring(prefix.length()));
      }
    }
    return new WorkerProtocol.StopWork(WorkerProtocol.Outcome.FAILED, reason);
  }

  private String refToString(ActorRef<?> ref) {
    return resolver().toSerializationFormat(ref);
  }

  private <T> ActorRef<T> stringToRef(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("missing actor reference");
    }
    return resolver().resolveActorRef(s);
  }

  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }
}
