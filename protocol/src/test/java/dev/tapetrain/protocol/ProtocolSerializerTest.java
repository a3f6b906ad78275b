package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ExtendedActorSystem;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.proto.StopWorkProto;
import java.io.NotSerializableException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every wire message round-trips through the serializer Akka picks for it. */
class ProtocolSerializerTest {

  static final ActorTestKit testKit = ActorTestKit.create("serializer-test");
  static final TestProbe<WorkerProtocol.Command> worker = testKit.createTestProbe();
  static final TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static Stream<WireMessage> messages() {
    return messages(worker.ref(), coordinator.ref());
  }

  /** The messages, with {@code worker} and {@code coordinator} as their actor references. */
  static Stream<WireMessage> messages(akka.actor.typed.ActorRef<WorkerProtocol.Command> worker,
      akka.actor.typed.ActorRef<CoordinatorProtocol.Command> coordinator) {
    DatasetSpec synthetic = new DatasetSpec(
        DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);
    DatasetSpec csv = new DatasetSpec(DatasetSpec.Source.csv("/data/train.csv", List.of("x"),
        "y", 12, "ab".repeat(32)), 5);
    List<NamedTensor> params = List.of(NamedTensor.scalar("w", 5.0),
        NamedTensor.vector("v", -0.0, Double.MIN_VALUE, Double.MAX_VALUE),
        NamedTensor.scalar("b", 10.0));
    return Stream.of(
        new WorkerProtocol.AssignShard(synthetic, new ModelSpec("linear", 0, 42,
            java.util.Map.of("init-w", "5.0", "init-b", "10.0")), List.of(0, 1, 5), coordinator),
        new WorkerProtocol.AssignShard(csv, new ModelSpec("mlp", 3, 7,
            java.util.Map.of("hidden", "8")), List.of(), coordinator),
        new WorkerProtocol.AssignShard(new DatasetSpec(
            DatasetSpec.Source.synthetic(500, List.of(1.0, -1.0), 0.5, 0.1, 9, 4), 32),
            new ModelSpec("softmax", 4, 9, java.util.Map.of()), List.of(1), coordinator),
        new WorkerProtocol.ComputeGradients(7, params, List.of(3, 4), coordinator),
        new WorkerProtocol.StopWork(WorkerProtocol.Outcome.COMPLETED, ""),
        new CoordinatorProtocol.ShardAssigned(worker, List.of(2, 9), "synthetic"),
        new CoordinatorProtocol.ShardAssigned(worker, List.of(2), "synthetic",
            new ModelLayout(params, List.of("w"), List.of("accuracy"), "cd".repeat(32))),
        new CoordinatorProtocol.ShardRejected(worker, "data.csv: no such file"),
        new CoordinatorProtocol.GradientsComputed(8, worker, List.of(
            new ChunkResult(3, 64, 123.25, params),
            new ChunkResult(4, 1, Double.NaN, List.of()),
            new ChunkResult(5, 2, 0.5, params, List.of(2.0, -0.0))), 999),
        new WorkerProtocol.StopWork(WorkerProtocol.Outcome.REFUSED,
            "its data differ from the coordinator's"),
        new CoordinatorProtocol.ModelFailed(3, worker,
            "lossSum threw java.lang.IllegalStateException: no loss"),
        new WorkerProtocol.StopWork(WorkerProtocol.Outcome.OVER, "completed"),
        // Since 2026-12-06: a round of a mini-batch (issue 26).
        new WorkerProtocol.ComputeGradients(9, params, List.of(0, 2, 3), coordinator,
            new Batch(42, 3, true, 1000, 96, 32)),
        // Since 2026-12-06: a classifier with --class-weight.
        new WorkerProtocol.AssignShard(csv, new ModelSpec("logistic", 2, 9, java.util.Map.of(),
            List.of(0.625, 3.0)), List.of(0), coordinator),
        // Since 2026-12-06: data with validation data of their own (--validation-data).
        new WorkerProtocol.AssignShard(new DatasetSpec(csv.source(), 5,
            DatasetSpec.Source.csv("/data/val.csv", List.of("x"), "y", 7, "cd".repeat(32))),
            ModelSpec.linear(3), List.of(2, 3), coordinator),
        // Since 2026-12-07: a full-batch round that says the rounds planned after it.
        new WorkerProtocol.ComputeGradients(0, params, List.of(1, 2), coordinator, null, 29),
        // Since 2026-12-07: an assignment that says the rounds planned (the worker may compile
        // its model while it loads).
        new WorkerProtocol.AssignShard(csv, new ModelSpec("mlp", 3, 7,
            java.util.Map.of("hidden", "8")), List.of(4), coordinator,
            WorkerProtocol.RejoinWindow.NONE, 3907),
        // Since 2026-12-07: a round that says what it computes as the step log numbers it.
        new WorkerProtocol.ComputeGradients(4, params, List.of(1), coordinator, null, 12,
            "in step 2"));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void everyMessageRoundTripsThroughTheConfiguredSerializer(WireMessage message) throws Exception {
    Serialization serialization =
        SerializationExtension.get(Adapter.toClassic(testKit.system()));
    Serializer serializer = serialization.findSerializerFor(message);
    assertTrue(serializer instanceof ProtocolSerializer, "bound to " + serializer);
    ProtocolSerializer p = (ProtocolSerializer) serializer;
    String manifest = p.manifest(message);
    assertTrue(manifest.length() <= 2, "short stable manifest, got " + manifest);
    byte[] bytes = p.toBinary(message);
    Object back = serialization.deserialize(bytes, p.identifier(), manifest).get();
    assertEquals(message, back);
  }

  @Test
  void unknownManifestFailsWithAClearMessage() {
    ProtocolSerializer p = serializer();
    NotSerializableException e =
        assertThrows(NotSerializableException.class, () -> p.fromBinary(new byte[0], "zz"));
    assertTrue(e.getMessage().contains("unknown tapetrain message manifest [zz]"), e.getMessage());
  }

  @Test
  void bytesThatAreNotTheMessageFailWithAClearMessage() {
    ProtocolSerializer p = serializer();
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> p.fromBinary(new byte[] {(byte) 0xff, 0x01, 0x02}, ProtocolSerializer.STOP_WORK));
    assertTrue(e.getMessage().contains("does not decode"), e.getMessage());
  }

  @Test
  void identifierIsAboveAkkasReservedRange() {
    assertTrue(serializer().identifier() > 40);
  }

  /**
   * Golden bytes, derived by hand from the protobuf encoding rules (tag = field << 3 | wire
   * type; strings and packed repeated fields are length-delimited, type 2; doubles are 8 bytes
   * little-endian). If a schema change breaks these, old peers and old checkpoints break too.
   */
  @Test
  void goldenBytesStillDecode() throws Exception {
    ProtocolSerializer p = serializer();
    // StopWorkProto{outcome = REFUSED (6), detail = "done"}: field 2, type 0 → 0x10, 6; field 3,
    // type 2 → 0x1a; length 4; "done".
    WorkerProtocol.StopWork refused =
        new WorkerProtocol.StopWork(WorkerProtocol.Outcome.REFUSED, "done");
    assertEquals(refused, p.fromBinary(HexFormat.of().parseHex("10061a04646f6e65"), "sw"));
    assertArrayEquals(HexFormat.of().parseHex("10061a04646f6e65"), p.toBinary(refused));
    // Before outcomes, StopWorkProto{reason = "done"}: field 1, type 2 → 0x0a; length 4; "done".
    // A text that is no status and no refusal is a failure with that text.
    assertEquals(new WorkerProtocol.StopWork(WorkerProtocol.Outcome.FAILED, "done"),
        p.fromBinary(HexFormat.of().parseHex("0a04646f6e65"), "sw"));
    // TensorProto{name = "b", values = [2.0]}: 0a 01 'b'; field 3 packed → 1a 08 + 2.0 as LE.
    byte[] tensor = HexFormat.of().parseHex("0a0162" + "1a08" + "0000000000000040");
    assertEquals(NamedTensor.scalar("b", 2.0),
        ProtoCodec.fromProto(dev.tapetrain.protocol.proto.TensorProto.parseFrom(tensor)));
    assertArrayEquals(tensor, ProtoCodec.toProto(NamedTensor.scalar("b", 2.0)).toByteArray());
  }

  /**
   * Golden fixtures (protocol/src/test/resources/golden/message-N-MANIFEST.bin), written once by
   * the code of 2026-12-02 from {@link #messages()}: every message still encodes to those bytes,
   * and those bytes still decode to the message. A schema change that breaks an older peer or
   * an older file fails here. To add fixtures for new messages, run this test with
   * {@code -Dtapetrain.golden.write=protocol/src/test/resources/golden}: it writes the missing
   * files and never overwrites one.
   */
  @Test
  void everyMessageMatchesItsGoldenBytes() throws Exception {
    ProtocolSerializer p = serializer();
    // Dead letters: the one reference whose serialized form has no random uid, so the bytes are
    // the same in every run.
    List<WireMessage> all = messages(testKit.system().deadLetters(),
        testKit.system().deadLetters()).toList();
    String write = System.getProperty("tapetrain.golden.write");
    for (int i = 0; i < all.size(); i++) {
      WireMessage message = all.get(i);
      String manifest = p.manifest(message);
      String name = "golden/message-" + i + "-" + manifest + ".bin";
      java.io.InputStream in = ProtocolSerializerTest.class.getClassLoader()
          .getResourceAsStream(name);
      if (in == null && write != null) {
        java.nio.file.Path file = java.nio.file.Path.of(write, name.substring(7));
        java.nio.file.Files.write(file, p.toBinary(message),
            java.nio.file.StandardOpenOption.CREATE_NEW);
        continue;
      }
      assertTrue(in != null, "no golden fixture " + name);
      byte[] golden = in.readAllBytes();
      assertArrayEquals(golden, p.toBinary(message), "encoding of " + message);
      assertEquals(message, p.fromBinary(golden, manifest), "decoding of " + name);
    }
  }

  /**
   * Bytes of older versions of a message (golden/legacy) still decode: ShardAssigned carried
   * {@code load_nanos} (field 4, now reserved) until 2026-12-02; a reader ignores it.
   * ComputeGradients listed every chunk id (field 3) until the same day; a reader still takes
   * that list when a sender gives it. Until 2026-12-06 AssignShard described synthetic and CSV
   * data by message types of their own and carried every built-in model's options whatever the
   * model (hidden units, initial W and B): they decode to today's data source and to the
   * settings of the model that declares them (an MLP's initial W and B, which it never read,
   * are dropped). StopWork carried one reason text (field 1) until 2026-12-06 ("completed"
   * after a completed run); a reader takes the outcome from it.
   */
  @Test
  void olderMessageBytesStillDecode() throws Exception {
    ProtocolSerializer p = serializer();
    List<WireMessage> all = messages(testKit.system().deadLetters(),
        testKit.system().deadLetters()).toList();
    for (int i : new int[] {5, 6}) {
      assertEquals(all.get(i), p.fromBinary(legacy("message-" + i + "-sa-with-load-nanos.bin"),
          ProtocolSerializer.SHARD_ASSIGNED));
    }
    assertEquals(all.get(3), p.fromBinary(legacy("message-3-cg-listed.bin"),
        ProtocolSerializer.COMPUTE_GRADIENTS));
    for (int i : new int[] {0, 1, 2}) {
      assertEquals(all.get(i), p.fromBinary(legacy("message-" + i
          + "-as-before-2026-12-06.bin"), ProtocolSerializer.ASSIGN_SHARD));
    }
    assertEquals(all.get(4), p.fromBinary(legacy("message-4-sw-reason.bin"),
        ProtocolSerializer.STOP_WORK));
    assertEquals(new WorkerProtocol.StopWork(WorkerProtocol.Outcome.REFUSED,
        "its data differ from the coordinator's"), p.fromBinary(StopWorkProto.newBuilder()
        .setReason("refused by the coordinator: its data differ from the coordinator's").build()
        .toByteArray(), ProtocolSerializer.STOP_WORK));
  }

  /**
   * Since 2026-12-06 AssignShard tells the worker the coordinator's rejoin window in fields 20
   * and 21 (varints: tags 20 << 3 = a0 01 and 21 << 3 = a8 01; 60 000 = e0 d4 03, 15 000 =
   * 98 75). A window of nothing adds no byte, so the golden fixtures of older assignments (and
   * the bytes an older coordinator sends) are unchanged and decode to {@link
   * WorkerProtocol.RejoinWindow#NONE}.
   */
  @Test
  void anAssignmentCarriesTheRejoinWindowInFieldsOfItsOwn() throws Exception {
    ProtocolSerializer p = serializer();
    WorkerProtocol.AssignShard old = (WorkerProtocol.AssignShard) messages(
        testKit.system().deadLetters(), testKit.system().deadLetters()).findFirst().get();
    assertEquals(WorkerProtocol.RejoinWindow.NONE, old.rejoin());
    WorkerProtocol.AssignShard told = new WorkerProtocol.AssignShard(old.dataset(), old.model(),
        old.chunks(), old.replyTo(), new WorkerProtocol.RejoinWindow(
            java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(15)));
    byte[] bytes = p.toBinary(told);
    assertEquals(HexFormat.of().formatHex(p.toBinary(old)) + "a001e0d403a8019875",
        HexFormat.of().formatHex(bytes));
    assertEquals(told, p.fromBinary(bytes, ProtocolSerializer.ASSIGN_SHARD));
  }

  /**
   * Since 2026-12-07 AssignShard says the rounds planned in field 22 (tag 22 << 3 = b0 01, then
   * the varint: 30 = 1e). Nothing said adds no byte: older assignments' fixtures are unchanged
   * and decode to 0.
   */
  @Test
  void anAssignmentCarriesTheRoundsAheadInAFieldOfItsOwn() throws Exception {
    ProtocolSerializer p = serializer();
    WorkerProtocol.AssignShard old = (WorkerProtocol.AssignShard) messages(
        testKit.system().deadLetters(), testKit.system().deadLetters()).findFirst().get();
    assertEquals(0, old.roundsAhead());
    WorkerProtocol.AssignShard told = new WorkerProtocol.AssignShard(old.dataset(), old.model(),
        old.chunks(), old.replyTo(), old.rejoin(), 30);
    byte[] bytes = p.toBinary(told);
    assertEquals(HexFormat.of().formatHex(p.toBinary(old)) + "b0011e",
        HexFormat.of().formatHex(bytes));
    assertEquals(told, p.fromBinary(bytes, ProtocolSerializer.ASSIGN_SHARD));
    assertThrows(IllegalArgumentException.class, () -> new WorkerProtocol.AssignShard(
        old.dataset(), old.model(), old.chunks(), old.replyTo(), old.rejoin(), -1));
  }

  private static byte[] legacy(String name) throws java.io.IOException {
    try (java.io.InputStream in = ProtocolSerializerTest.class.getClassLoader()
        .getResourceAsStream("golden/legacy/" + name)) {
      return in.readAllBytes();
    }
  }

  /**
   * ComputeGradients carries its chunks as (first, count) runs in field 5, packed: tag
   * 5 << 3 | 2 = 0x2a, the byte length, then varints. Chunks 3, 4, 5, 9 are the runs (3, 3) and
   * (9, 1): 2a 04 03 03 09 01, and nothing in field 3 (tag 0x1a).
   */
  @Test
  void chunksTravelAsRunsOfConsecutiveIds() throws Exception {
    ProtocolSerializer p = serializer();
    WorkerProtocol.ComputeGradients m = new WorkerProtocol.ComputeGradients(7, List.of(),
        List.of(3, 4, 5, 9), testKit.system().deadLetters());
    String hex = HexFormat.of().formatHex(p.toBinary(m));
    // round 7 (08 07), then the reference (field 4, tag 0x22), then the runs.
    assertTrue(hex.startsWith("0807") && hex.endsWith("2a0403030901"), hex);
    assertEquals(0, dev.tapetrain.protocol.proto.ComputeGradientsProto
        .parseFrom(p.toBinary(m)).getChunksCount(), "no id list in field 3");
    assertEquals(m, p.fromBinary(p.toBinary(m), ProtocolSerializer.COMPUTE_GRADIENTS));
    // Thousands of ids in one block are four bytes of runs.
    List<Integer> block = new java.util.ArrayList<>();
    for (int c = 3900; c < 7800; c++) {
      block.add(c);
    }
    byte[] big = p.toBinary(new WorkerProtocol.ComputeGradients(7, List.of(), block,
        testKit.system().deadLetters()));
    assertEquals(p.toBinary(m).length, big.length,
        "run (3900, 3900): two 2-byte varints, as many bytes as (3, 3), (9, 1)");
  }

  private static ProtocolSerializer serializer() {
    return new ProtocolSerializer(
        (ExtendedActorSystem) Adapter.toClassic(testKit.system()));
  }
}
