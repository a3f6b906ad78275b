package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.coordinator.cli.UsageException;
import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.coordinator.run.LegacyConfig;
import dev.tapetrain.coordinator.run.NewDirectory;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.run.RunLock;
import dev.tapetrain.coordinator.run.RunLog;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.models.Models;
import dev.tapetrain.spi.UserError;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Opens the run directory of a {@link TrainingRun} before its actor system starts: a new
 * directory (the one {@code --run-dir} names, else a fresh one under {@code runs/}), the run
 * {@code --resume} names, continued from its checkpoint, or with {@code --resume-if-exists} the
 * directory that may already hold the same run ({@link SameRun}). A resume that does not fit the
 * run (options, data, numerics version, fewer steps than done) is refused in one line, and a run
 * with nothing left to do is left exactly as it is.
 */
final class RunOpening {

  private RunOpening() {}

  /**
   * The run directory opened for {@code train}'s run, or {@link Opened#nothing()} set when the run
   * in it has nothing left to do.
   */
  record Opened(RunSpec spec, RunDirectory runDir, TrainingState start,
      TrainingRun.Outcome nothing) {}

  /**
   * Opens the run directory {@code train} asks for, checked by {@code launcher} (see {@link
   * TrainingRun.Launcher#check}); says on {@code err} which directory it is.
   */
  static Opened open(String command, TrainOptions train, int workers,
      TrainingRun.Launcher launcher, PrintStream err, EarlyInterrupt early) {
    if (train.resumeIfExists()) {
      return SameRun.open(command, train, workers, launcher, err, early);
    }
    if (train.resumeDir() != null) {
      return resume(train, workers, launcher, err, early);
    }
    RunSpec spec = train.toRunSpec(workers);
    launcher.check(spec);
    Path dir = train.runDir() != null ? train.runDir()
        : NewDirectory.under(Path.of("runs"));
    boolean stopped = NewDirectory.holdsOnlyLock(dir);
    RunDirectory runDir = EarlyInterrupt.make(early, () -> RunDirectory.create(dir, spec, command),
        spec, null, () -> announce(dir, stopped, err));
    return new Opened(spec, runDir, null, null);
  }

  /** {@code --resume DIR}: the run in DIR, locked and reopened at its checkpoint. */
  private static Opened resume(TrainOptions train, int workers, TrainingRun.Launcher launcher,
      PrintStream err, EarlyInterrupt early) {
    Path dir = train.resumeDir();
    if (NewDirectory.holdsOnlyLock(dir)) {
      throw new UsageException("--resume " + dir + " holds no run yet (a start was stopped "
          + "before it wrote " + RunDirectory.CONFIG + "): start it there with the same command "
          + "(without --resume) or with --resume-if-exists --run-dir " + dir);
    }
    // A clear message for a directory that is not a run, before locking.
    RunLog before = RunLog.read(dir);
    if (before.summary() != null
        && "stopped_early".equals(before.summary().path("status").asText())) {
      err.println("--resume " + dir + ": nothing to do: the run stopped early after "
          + before.summary().path("steps").asLong() + " steps ("
          + before.summary().path("message").asText() + ")");
      return nothing(dir);
    }
    long done = completedSteps(before);
    if (done >= 0) {
      // Checked like any resume (options, data), read-only: nothing of the run changes.
      RunSpec again = resumedSpec(train, workers, dir, before,
          Checkpoints.read(dir.resolve(Checkpoints.FILE)));
      if (again.steps() == done) {
        launcher.check(again);
        err.println("--resume " + dir + ": nothing to do: the run completed all its " + done
            + " steps (raise " + (again.policy().epochs() ? "--epochs" : "--steps")
            + " to train further)");
        return nothing(dir);
      }
    }
    RunSpec spec;
    TrainingState start;
    RunDirectory runDir;
    // One writer per run: lock before reading anything a second writer could change.
    RunLock lock = RunLock.acquire(dir, "--resume");
    try {
      RunLog old = RunLog.read(dir);
      Checkpoints.Loaded checkpoint = Checkpoints.read(dir.resolve(Checkpoints.FILE));
      spec = resumedSpec(train, workers, dir, old, checkpoint);
      start = checkpoint.state();
      launcher.check(spec);
      RunSpec resumed = spec;
      TrainingState from = start;
      runDir = EarlyInterrupt.make(early, () -> RunDirectory.resume(dir, resumed, from.steps(),
          from.initialLoss(), checkpoint.lastLoggedStep(), lock, err), spec, start,
          () -> err.println("resuming " + dir + " from step " + from.steps()));
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    return new Opened(spec, runDir, start, null);
  }

  /**
   * Says which directory the new run's is, and that a stopped start's {@code run.lock} there was
   * taken over (see {@link NewDirectory#holdsOnlyLock}).
   */
  static void announce(Path dir, boolean stoppedStart, PrintStream err) {
    if (stoppedStart) {
      err.println("--run-dir " + dir + ": held only the " + RunLock.FILE + " of a start that was "
          + "stopped before it wrote " + RunDirectory.CONFIG + "; starting the run there");
    }
    err.println("run directory: " + dir);
  }

  /** A run in {@code dir} with nothing left to do: exit code 0, no summary. */
  private static Opened nothing(Path dir) {
    return new Opened(null, null, null, new TrainingRun.Outcome(0, null, dir, ""));
  }

  /**
   * The specification of the run in {@code dir} ({@code old}, {@code checkpoint}) resumed with
   * {@code train}'s options.
   *
   * @throws UsageException if an option, the data or the checkpoint does not fit the run
   */
  private static RunSpec resumedSpec(TrainOptions train, int workers, Path dir, RunLog old,
      Checkpoints.Loaded checkpoint) {
    RunSpec spec = train.toResumedSpec(workers, old.config(), checkpoint.numbers());
    if (checkpoint.numbers() == null
        && !checkpoint.configDigest().equals(LegacyConfig.digest(old.config()))) {
      throw new UsageException("--resume " + dir + ": the checkpoint was written for another "
          + "configuration than config.json describes");
    }
    if (!checkpoint.dataDigest().equals(spec.dataset().digest())) {
      throw new UsageException("--resume " + dir + ": the data differ from the checkpoint's");
    }
    try {
      // A model this JVM does not have (its jar not on the class path) is what stops the run,
      // not the numerics version it would otherwise seem to differ in.
      Models.plugins(java.util.Set.of()).get(spec.model().name(), "the run's model");
    } catch (UserError e) {
      throw new UsageException("--resume " + dir + ": " + e.getMessage()); // says how to add it
    }
    int wanted = spec.numericsVersion();
    int recorded = RunSpec.recordedNumerics(checkpoint.numbers());
    if (wanted > 0 && recorded != wanted) {
      throw numericsDiffer("--resume " + dir, recorded, wanted);
    }
    if (spec.steps() < checkpoint.state().steps()) {
      if (spec.policy().epochs()) {
        long perEpoch = spec.policy().stepsPerEpoch(spec.dataset());
        throw new UsageException("--epochs " + spec.steps() / perEpoch + " is below the "
            + checkpoint.state().steps() + " steps (" + perEpoch + " an epoch) already in the "
            + "checkpoint");
      }
      throw new UsageException("--steps " + spec.steps() + " is below the "
          + checkpoint.state().steps() + " steps already in the checkpoint");
    }
    return spec;
  }

  /**
   * The one-line refusal of a run computed with numerics version {@code recorded} by a build that
   * computes with {@code wanted}; {@code where} names the option and the directory. Shared by
   * {@code --resume} and {@code --resume-if-exists} ({@link SameRun}).
   */
  static UsageException numericsDiffer(String where, int recorded, int wanted) {
    return new UsageException(where + ": the run was computed with numerics version " + recorded
        + ", this build computes with numerics version " + wanted + " (exp and tanh differ in the"
        + " last bits): resume it with the build that made it, or start a new run");
  }

  /**
   * The steps of {@code run} if it completed (the resume may ask for more), else -1. Read-only,
   * without the lock: a run with nothing to do is left exactly as it is.
   */
  private static long completedSteps(RunLog run) {
    if (run.summary() == null || !"completed".equals(run.summary().path("status").asText())) {
      return -1;
    }
    return run.summary().path("steps").asLong(-1);
  }
}
