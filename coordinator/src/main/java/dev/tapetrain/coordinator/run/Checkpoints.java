package dev.tapetrain.coordinator.run;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tapetrain.coordinator.TrainingState;
import dev.tapetrain.protocol.Hashing;
import dev.tapetrain.protocol.ProtoCodec;
import dev.tapetrain.protocol.proto.CheckpointFileProto;
import dev.tapetrain.protocol.proto.CheckpointProto;
import dev.tapetrain.protocol.proto.RunNumbersProto;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;

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
   * Whether {@code file} holds a state a run can go on from: it exists and is not the
   * parameterless checkpoint a build before 2026-12-08 wrote for a run stopped before its
   * workers brought the model (that one could never be resumed, and is treated as none). A
   * checkpoint that cannot be read counts as one, so that reading it says what is wrong.
   */
  public static boolean holdsState(Path file) {
    try {
      // The parameterless one holds the run's numbers only: never this large. A model's
      // checkpoint is not read again just to say that it is one.
      if (Files.size(file) > NO_STATE_AT_MOST) {
        return true;
      }
      CheckpointFileProto f = CheckpointFileProto.parseFrom(Files.readAllBytes(file));
      return CheckpointProto.parseFrom(f.getCheckpoint()).getParamsCount() > 0;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException unreadable) {
      return true; // reading it says what is wrong with it
    }
  }

  /** Bytes beyond which a checkpoint is taken to hold a state without reading it. */
  private static final long NO_STATE_AT_MOST = 16 << 20;

  /**
   * A checkpoint read back.
   *
   * @param lastLoggedStep the last step in steps.jsonl before the checkpoint's step (-1: none),
   *     or null for a checkpoint written before this was recorded
   * @param numbers the run's numbers ({@code RunSpec.numbers()}), whose digest is
   *     {@code configDigest}; null in a checkpoint written before 2026-12-02
   */
  public record Loaded(TrainingState state, String configDigest, String dataDigest,
      Long lastLoggedStep, RunNumbersProto numbers) {}

  /**
   * Writes {@code state} to {@code file} atomically.
   *
   * @param lastLoggedStep the last step written to steps.jsonl before {@code state.steps()}
   */
  public static void write(Path file, TrainingState state, RunNumbersProto numbers,
      String dataDigest, long lastLoggedStep) {
    byte[] body = CheckpointProto.newBuilder()
        .setSteps(state.steps())
        .addAllParams(ProtoCodec.tensorsToProto(state.params()))
        .addAllOptimizerState(ProtoCodec.tensorsToProto(state.optimizerState()))
        .setConfigDigest(RunSpec.digest(numbers))
        .setNumbers(numbers)
        .setDataDigest(dataDigest)
        .setStepDigest(state.stepDigest())
        .setInitialLoss(state.initialLoss())
        .setLoss(state.loss())
        .setLastLoggedStep(lastLoggedStep)
        .addAllEpochSums(state.epochSums())
        .addAllEarlyStopping(state.earlyStopping())
        .addAllBestParams(ProtoCodec.tensorsToProto(state.bestParams()))
        .addAllReduceOnPlateau(state.plateau())
        .addAllLastParams(ProtoCodec.tensorsToProto(state.lastParams()))
        .setStoppedEarly(state.stoppedEarly())
        .build().toByteArray();
    byte[] bytes = CheckpointFileProto.newBuilder()
        .setCheckpoint(ByteString.copyFrom(body))
        .setSha256(ByteString.copyFrom(Hashing.sha256(body)))
        .build().toByteArray();
    AtomicFiles.write(file, bytes);
  }

  /**
   * Reads and verifies {@code file}.
   *
   * @throws RunDirectoryException if it is missing, unreadable or corrupt, or holds no state
   *     ({@link #holdsState})
   */
  public static Loaded read(Path file) {
    Loaded loaded = parse(file);
    if (loaded.state().params().isEmpty()) {
      throw stoppedBeforeCheckpoint(file);
    }
    return loaded;
  }

  private static RunDirectoryException stoppedBeforeCheckpoint(Path file) {
    return new RunDirectoryException(file + ": no checkpoint (the run stopped before its first"
        + " one; start it again: the command that started it with --resume-if-exists starts "
        + "it over in that directory)");
  }

  private static Loaded parse(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw stoppedBeforeCheckpoint(file);
    } catch (IOException e) {
      throw new RunDirectoryException(file + ": cannot read: " + e.getMessage());
    }
    try {
      CheckpointFileProto f = CheckpointFileProto.parseFrom(bytes);
      byte[] body = f.getCheckpoint().toByteArray();
      if (body.length == 0
          || !MessageDigest.isEqual(Hashing.sha256(body), f.getSha256().toByteArray())) {
        throw new RunDirectoryException(file + ": corrupt checkpoint (checksum mismatch)");
      }
      CheckpointProto c = CheckpointProto.parseFrom(body);
      TrainingState state = new TrainingState(c.getSteps(),
          ProtoCodec.tensorsFromProto(c.getParamsList()),
          ProtoCodec.tensorsFromProto(c.getOptimizerStateList()), c.getStepDigest(),
          c.getInitialLoss(), c.getLoss(), c.getEpochSumsList(), c.getEarlyStoppingList(),
          ProtoCodec.tensorsFromProto(c.getBestParamsList()), c.getReduceOnPlateauList(),
          ProtoCodec.tensorsFromProto(c.getLastParamsList()), c.getStoppedEarly());
      RunNumbersProto numbers = c.hasNumbers() ? c.getNumbers() : null;
      if (numbers != null && !RunSpec.digest(numbers).equals(c.getConfigDigest())) {
        throw new RunDirectoryException(file + ": corrupt checkpoint (its numbers do not match "
            + "their digest)");
      }
      return new Loaded(state, c.getConfigDigest(), c.getDataDigest(),
          c.hasLastLoggedStep() ? c.getLastLoggedStep() : null, numbers);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new RunDirectoryException(file + ": corrupt checkpoint (" + e.getMessage() + ")");
    }
  }


}
