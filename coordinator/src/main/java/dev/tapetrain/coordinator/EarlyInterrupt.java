package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The signal hook of a run from the moment its directory exists until its actors run (then
 * {@link TrainingRun}'s own hook takes over): a Ctrl-C or SIGTERM while the actor system starts
 * writes the run's summary as interrupted (with a resumed run's checkpoint state, which stays
 * as it was), says so in one line, and exits 130. Before it, such a signal left the summary
 * "running": {@code --resume} then found no checkpoint and the same command found the directory
 * taken (a new-user test round, 2026-12-07).
 */
final class EarlyInterrupt {

  /** Exit code of a run ended by a signal (128 + SIGINT). */
  static final int INTERRUPTED = RunSummary.Status.INTERRUPTED.exitCode();

  private final AtomicBoolean owned = new AtomicBoolean(true);
  /** Whether {@link #handOver} ran (on the run's thread): a second call does nothing. */
  private boolean handedOver;
  private final Thread hook;
  private final RunDirectory runDir;
  private final RunSpec spec;
  private final TrainingState start;
  private final String command;
  private final PrintStream out;
  private final PrintStream err;

  private EarlyInterrupt(RunDirectory runDir, RunSpec spec, TrainingState start, String command,
      PrintStream out, PrintStream err) {
    this.runDir = runDir;
    this.spec = spec;
    this.start = start;
    this.command = command;
    this.out = out;
    this.err = err;
    this.hook = new Thread(() -> {
      if (owned.compareAndSet(true, false)) {
        endNow();
      } // else handed over: the run's own hook (or its normal end) ends the run
    }, "tapetrain-interrupt-early");
  }

  /** Installs the hook of a run whose directory was just made (or opened to resume). */
  static EarlyInterrupt install(RunDirectory runDir, RunSpec spec, TrainingState start,
      String command, PrintStream out, PrintStream err) {
    EarlyInterrupt early = new EarlyInterrupt(runDir, spec, start, command, out, err);
    Runtime.getRuntime().addShutdownHook(early.hook);
    return early;
  }

  /** The run goes on without a hook of its own (it failed to start and says so itself). */
  void handOver() {
    handOver(null);
  }

  /**
   * Hands over to nothing if not done yet: true if this call did (the run failed before its
   * actors' hook took over, and its summary is still the opening one).
   */
  boolean handOverIfPending() {
    if (handedOver) {
      return false;
    }
    handOver(null);
    return true;
  }

  /**
   * Hands signals over to {@code next} (null: none). If a signal came first, this hook is
   * ending the run and halting the JVM: the caller waits for that instead of going on.
   */
  void handOver(Thread next) {
    if (handedOver) {
      return;
    }
    handedOver = true;
    if (!owned.compareAndSet(true, false)) {
      waitForHalt();
    }
    if (next != null) {
      try {
        Runtime.getRuntime().addShutdownHook(next);
      } catch (IllegalStateException shuttingDown) {
        endNow(); // the signal came between the two: this hook no longer acts on it
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutting down: the hook runs, sees it was handed over and returns.
    }
  }

  /** Writes the run's end as interrupted, says so, and halts the JVM with 130. */
  private void endNow() {
    runDir.finish(RunSummary.beforeTraining(RunSummary.Status.INTERRUPTED, spec.steps(), start,
        "interrupted before training started"));
    runDir.close();
    err.println(command + ": interrupted before training started; " + (start == null
        ? "no checkpoint to resume: run the command again with --resume-if-exists (it starts "
            + "the run over in " + runDir.path() + ") or another --run-dir"
        : "continue with: --resume " + runDir.path()));
    out.flush();
    err.flush();
    Runtime.getRuntime().halt(INTERRUPTED);
  }

  private static void waitForHalt() {
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // The JVM halts from the hook; nothing else is to be done on this thread.
      }
    }
  }
}
