package dev.tapetrain.coordinator.run;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tapetrain.coordinator.TrainingState;
import dev.tapetrain.protocol.ProtoCodec;
import dev.tapetrain.protocol.proto.CheckpointFileProto;
import dev.tapetrain.protocol.proto.CheckpointProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code checkpoint.pb}: a {@link TrainingState} with the digests of the run's configuration
 * and data, in protobuf, wrapped with its own SHA-256. Written atomically (temporary file,
 * fsync, rename), so a crash leaves the previous checkpoint or the new one, never a mix.
 */
public final class Checkpoints {

  /** The file name inside a run directory. */
  public static final String FILE = "checkpoint.pb";

  private Checkpoints() {}

  /**
   * A checkpoint read back.
   *
   * @param lastLoggedStep the last step in steps.jsonl before the checkpoint's step (-1: none),
   *     or null for a checkpoint written before this was recorded
   */
  public record Loaded(TrainingState state, String configDigest, String dataDigest,
      Long lastLoggedStep) {}

  /**
   * Writes {@code state} to {@code file} atomically.
   *
   * @param lastLoggedStep the last step written to steps.jsonl before {@code state.steps()}
   */
  public static void write(Path file, TrainingState state, String configDigest,
      String dataDigest, long lastLoggedStep) {
    byte[] body = CheckpointProto.newBuilder()
        .setSteps(state.steps())
        .addAllParams(ProtoCodec.tensorsToProto(state.params()))
        .addAllOptimizerState(ProtoCodec.tensorsToProto(state.optimizerState()))
        .setConfigDigest(configDigest)
        .setDataDigest(dataDigest)
        .setStepDigest(state.stepDigest())
        .setInitialLoss(state.initialLoss())
        .setLoss(state.loss())
        .setLastLoggedStep(lastLoggedStep)
        .build().toByteArray();
    byte[] bytes = CheckpointFileProto.newBuilder()
        .setCheckpoint(ByteString.copyFrom(body))
        .setSha256(ByteString.copyFrom(sha256(body)))
        .build().toByteArray();
    AtomicFiles.write(file, bytes);
  }

  /**
   * Reads and verifies {@code file}.
   *
   * @throws RunDirectoryException if it is missing, unreadable or corrupt
   */
  public static Loaded read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new RunDirectoryException(file + ": no checkpoint (the run stopped before its first"
          + " one; start it again instead)");
    } catch (IOException e) {
      throw new RunDirectoryException(file + ": cannot read: " + e.getMessage());
    }
    try {
      CheckpointFileProto f = CheckpointFileProto.parseFrom(bytes);
      byte[] body = f.getCheckpoint().toByteArray();
      if (body.length == 0 || !MessageDigest.isEqual(sha256(body), f.getSha256().toByteArray())) {
        throw new RunDirectoryException(file + ": corrupt checkpoint (checksum mismatch)");
      }
      CheckpointProto c = CheckpointProto.parseFrom(body);
      TrainingState state = new TrainingState(c.getSteps(),
          ProtoCodec.tensorsFromProto(c.getParamsList()),
          ProtoCodec.tensorsFromProto(c.getOptimizerStateList()), c.getStepDigest(),
          c.getInitialLoss(), c.getLoss());
      return new Loaded(state, c.getConfigDigest(), c.getDataDigest(),
          c.hasLastLoggedStep() ? c.getLastLoggedStep() : null);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new RunDirectoryException(file + ": corrupt checkpoint (" + e.getMessage() + ")");
    }
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
