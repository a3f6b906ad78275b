package dev.tapetrain.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.RunOpening.Opened;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.coordinator.cli.UsageException;
import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.LegacyConfig;
import dev.tapetrain.coordinator.run.NewDirectory;
import dev.tapetrain.coordinator.run.RunConfig;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.RunLock;
import dev.tapetrain.coordinator.run.RunLog;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.data.FileSet;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ProtoCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code --run-dir DIR --resume-if-exists} (on by itself where the operators' environment places
 * the coordinator): the command line describes the whole run, and a directory that already holds
 * it is continued instead of refused, so a restarted pod (same command, same volume) carries on
 * from its checkpoint. "The same run" means the same numbers as the checkpoint records them (the
 * options that decide every loss and parameter, {@link RunSpec#numericDigest()}) and the same
 * data (their digest); the step count may be raised, and execution options (workers, timeouts,
 * logging) may change, as with {@code --resume}. Anything else is another run's directory and is
 * refused in one line, as without the option.
 */
final class SameRun {

  /** Options of config.json that may differ between two tries of one run. */
  private static final List<String> EXECUTION = List.of("workers", "steps", "epochs",
      "log_every", "checkpoint_every", "step_timeout_seconds", "wait_timeout_seconds",
      "rejoin_timeout_seconds");

  private SameRun() {}

  /**
   * The run directory opened for {@code train}'s run, or {@link Opened#nothing()} set when the run
   * in it has nothing left to do.
   */
  static Opened open(String command, TrainOptions train, int workers,
      TrainingRun.Launcher launcher, PrintStream err, EarlyInterrupt early) {
    Path dir = train.runDir();
    RunSpec wanted = train.toRunSpec(workers);
    launcher.check(wanted);
    RunSpec fresh = wanted;
    if (!Files.exists(dir)) {
      RunDirectory runDir = EarlyInterrupt.make(early,
          () -> RunDirectory.create(dir, fresh, command), fresh, null,
          () -> RunOpening.announce(dir, false, err));
      return new Opened(wanted, runDir, null, null);
    }
    if (!Files.isDirectory(dir)) {
      throw new UsageException("--run-dir " + dir + " is a file, not a run directory");
    }
    boolean stopped = NewDirectory.holdsOnlyLock(dir);
    if (stopped || isEmpty(dir)) { // e.g. a volume mounted there, or a start stopped early
      RunDirectory runDir = EarlyInterrupt.make(early, () -> RunDirectory.startOver(dir, fresh,
          command, RunLock.acquire(dir, "--run-dir")), fresh, null,
          () -> RunOpening.announce(dir, stopped, err));
      return new Opened(wanted, runDir, null, null);
    }
    if (!Files.exists(dir.resolve(RunDirectory.CONFIG))) {
      throw new UsageException("--run-dir " + dir + " exists and holds no tapetrain run (no "
          + RunDirectory.CONFIG + "); pick a new directory");
    }
    if (!Checkpoints.holdsState(dir.resolve(Checkpoints.FILE))) {
      return startOver(command, dir, wanted, err, early);
    }
    RunLog before = RunLog.read(dir); // a clear message for a directory that is not a run
    if (before.summary() != null
        && "stopped_early".equals(before.summary().path("status").asText())) {
      err.println("--run-dir " + dir + ": nothing to do: the run stopped early after "
          + before.summary().path("steps").asLong() + " steps");
      return new Opened(wanted, null, null, new TrainingRun.Outcome(0, null, dir, ""));
    }
    wanted = asRecorded(dir, wanted);
    // Read-only, before locking: a run of another numerics version is left exactly as it was,
    // as --resume leaves it.
    refuseOtherNumerics(dir, wanted, before.config());
    RunLock lock = RunLock.acquire(dir, "--run-dir");
    try {
      Checkpoints.Loaded checkpoint = Checkpoints.read(dir.resolve(Checkpoints.FILE));
      check(dir, wanted, checkpoint, before.config());
      long steps = checkpoint.state().steps();
      RunLog now = RunLog.read(dir);
      if (steps == wanted.steps() && now.summary() != null
          && "completed".equals(now.summary().path("status").asText())) {
        lock.close();
        err.println("--run-dir " + dir + ": nothing to do: the run completed all its " + steps
            + " steps");
        return new Opened(wanted, null, null, new TrainingRun.Outcome(0, null, dir, ""));
      }
      RunSpec same = wanted;
      RunDirectory runDir = EarlyInterrupt.make(early, () -> RunDirectory.resume(dir, same,
          steps, checkpoint.state().initialLoss(), checkpoint.lastLoggedStep(), lock, err), wanted, checkpoint.state(),
          () -> err.println("resuming " + dir + " from step " + steps + " (the same run; "
              + "--resume-if-exists)"));
      return new Opened(wanted, runDir, checkpoint.state(), null);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * {@code wanted} with its data as the checkpoint in {@code dir} records them, where a build of
   * before recorded the same data another way, so the same command continues the run with its
   * own chunks, digests and bits, as {@code --resume} does: a validation split recorded before
   * 2026-12-07 did not chunk its split apart from its training samples (no {@code held_out} in
   * its numbers), and a Parquet file was identified by its whole SHA-256 (today by its row-group
   * line's). Anything else is left to the checks.
   */
  private static RunSpec asRecorded(Path dir, RunSpec wanted) {
    DatasetSpec recorded;
    try {
      Checkpoints.Loaded checkpoint = Checkpoints.read(dir.resolve(Checkpoints.FILE));
      if (checkpoint.numbers() == null) {
        return wanted;
      }
      recorded = ProtoCodec.fromProto(checkpoint.numbers().getDataset());
    } catch (RuntimeException unreadable) {
      return wanted; // the checks say what is wrong with it
    }
    DatasetSpec data = wanted.dataset();
    DatasetSpec.Source source = sameFiles(data.source(), recorded.source());
    DatasetSpec.Source validation = data.validation() == null || recorded.validation() == null
        ? data.validation() : sameFiles(data.validation(), recorded.validation());
    long heldOut = recorded.heldOut() == 0 ? 0 : data.heldOut();
    if (source == data.source() && validation == data.validation()
        && heldOut == data.heldOut()) {
      return wanted;
    }
    return new RunSpec(wanted.workers(), wanted.steps(), wanted.learningRate(),
        wanted.optimizer(), new DatasetSpec(source, data.chunkSize(), validation, heldOut),
        wanted.policy(), wanted.logEvery(), wanted.stepTimeout(), wanted.waitTimeout(),
        wanted.checkpointEvery(), wanted.rejoinTimeout(), wanted.model(), wanted.schedule());
  }

  /**
   * {@code recorded} if it names the same files as {@code wanted} (same format, columns, target
   * and rows) with digests of another kind, and those files still give its digest computed its
   * way; else {@code wanted} (the checks then compare them).
   */
  static DatasetSpec.Source sameFiles(DatasetSpec.Source wanted, DatasetSpec.Source recorded) {
    if (wanted.digest().equals(recorded.digest()) || !wanted.format().equals(recorded.format())
        || !wanted.columns().equals(recorded.columns())
        || !wanted.target().equals(recorded.target()) || wanted.rows() != recorded.rows()) {
      return wanted;
    }
    try {
      if (!paths(wanted).equals(paths(recorded))) {
        return wanted;
      }
      String now = InputFormats.plugins(Set.of()).get(recorded.format(), "--run-dir")
          .digestNow(recorded);
      return now.equals(recorded.digest()) ? recorded : wanted;
    } catch (RuntimeException notFiles) { // generated data, or files that cannot be read
      return wanted;
    }
  }

  private static List<Path> paths(DatasetSpec.Source source) {
    return FileSet.of(source).files().stream().map(FileSet.DataFile::path).toList();
  }

  /** The checkpoint in {@code dir} is of the run {@code wanted} describes, or one line why not. */
  private static void check(Path dir, RunSpec wanted, Checkpoints.Loaded checkpoint,
      JsonNode config) {
    if (checkpoint.numbers() == null) {
      throw new UsageException("--run-dir " + dir + " holds a checkpoint written before "
          + "2026-12-02, which cannot be compared with this command line; continue it with "
          + "--resume " + dir + " or pick a new directory");
    }
    if (!RunSpec.digest(checkpoint.numbers()).equals(wanted.numericDigest())) {
      String which = OptionDifferences.between(config, wanted, Set.copyOf(EXECUTION));
      throw new UsageException("--run-dir " + dir + " holds another run (its checkpoint's "
          + "options differ from this command line's" + (which.isEmpty() ? "" : ": " + which)
          + "); pick a new directory, or continue it with --resume " + dir);
    }
    if (!checkpoint.dataDigest().equals(wanted.dataset().digest())) {
      throw new UsageException("--run-dir " + dir + " holds another run (its checkpoint's data "
          + "differ from this command line's); pick a new directory");
    }
    if (wanted.steps() < checkpoint.state().steps()) {
      throw new UsageException("--run-dir " + dir + " holds this run after "
          + checkpoint.state().steps() + " steps, more than the " + wanted.steps()
          + " this command line asks for");
    }
  }

  /**
   * Refuses, as {@code --resume} does, the run {@code wanted} describes when its checkpoint was
   * computed with another numerics version: continuing it here would mix two versions' bits, and
   * "another run" or "continue it with --resume" (which refuses it too) would mislead. The run is
   * the same when its numbers, re-encoded as this build encodes them (its numerics version
   * included), have {@code wanted}'s digest; for a checkpoint without numbers (before
   * 2026-12-02), config.json ({@code config}) gives them, as it does for {@code --resume}. Another
   * run, or a checkpoint that cannot be read here, passes on to the other checks, under the lock.
   */
  private static void refuseOtherNumerics(Path dir, RunSpec wanted, JsonNode config) {
    int mine = wanted.numericsVersion();
    if (mine == 0) {
      return;
    }
    Checkpoints.Loaded checkpoint;
    RunSpec theirs;
    try {
      checkpoint = Checkpoints.read(dir.resolve(Checkpoints.FILE));
      if (RunSpec.recordedNumerics(checkpoint.numbers()) == mine) {
        return;
      }
      theirs = checkpoint.numbers() != null
          ? RunSpec.fromNumbers(checkpoint.numbers(), wanted.workers(), wanted.steps(),
              wanted.logEvery(), wanted.stepTimeout(), wanted.waitTimeout(),
              wanted.checkpointEvery(), wanted.rejoinTimeout())
          : LegacyConfig.spec(config, wanted.workers(), wanted.steps(), wanted.logEvery(),
              wanted.stepTimeout(), wanted.waitTimeout(), wanted.checkpointEvery(),
              wanted.rejoinTimeout());
    } catch (RuntimeException unreadable) {
      return; // the other checks say what is wrong with it
    }
    if (theirs.numericDigest().equals(wanted.numericDigest())
        && checkpoint.dataDigest().equals(wanted.dataset().digest())) {
      throw RunOpening.numericsDiffer("--run-dir " + dir,
          RunSpec.recordedNumerics(checkpoint.numbers()), mine);
    }
  }

  /**
   * The run in {@code dir} stopped before its first checkpoint: nothing of it was committed, so
   * the same run starts again there; another run's directory is refused.
   */
  private static Opened startOver(String command, Path dir, RunSpec wanted, PrintStream err,
      EarlyInterrupt early) {
    RunLock lock = RunLock.acquire(dir, "--run-dir");
    try {
      JsonNode config = RunFiles.read(dir).config();
      if (!sameOptions(config, wanted)) {
        throw new UsageException("--run-dir " + dir + " holds another run (its "
            + RunDirectory.CONFIG + " has other options or data than this command line); pick "
            + "a new directory");
      }
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    err.println("--run-dir " + dir + ": the run stopped before its first checkpoint; starting "
        + "it again");
    RunDirectory runDir = EarlyInterrupt.make(early,
        () -> RunDirectory.startOver(dir, wanted, command, lock), wanted, null,
        () -> RunOpening.announce(dir, false, err));
    return new Opened(wanted, runDir, null, null);
  }

  /** config.json's options and data are {@code wanted}'s, but for execution options. */
  static boolean sameOptions(JsonNode config, RunSpec wanted) {
    try {
      // Through the text, so that numbers compare as they read back (200 as an int, not a long).
      JsonNode mine = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(
          RunConfig.options(wanted)));
      JsonNode data = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(
          RunConfig.dataset(wanted.dataset())));
      if (!config.path("options").isObject()) {
        return false;
      }
      ObjectNode theirs = ((ObjectNode) config.get("options")).deepCopy();
      ObjectNode ours = ((ObjectNode) mine).deepCopy();
      theirs.remove(EXECUTION);
      ours.remove(EXECUTION);
      return theirs.equals(ours)
          && config.path("dataset").path("digest").equals(data.path("digest"));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      // A file system's own lost+found (a volume formatted for the run) is not a run's.
      return entries.allMatch(p -> p.getFileName().toString().equals("lost+found"));
    } catch (IOException e) {
      throw new UsageException("--run-dir " + dir + ": cannot read: " + e.getMessage());
    }
  }
}
