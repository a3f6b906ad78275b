package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The signal hook of a run from the moment its command starts opening the run directory until
 * its actors run (then {@link TrainingRun}'s own hook takes over). A Ctrl-C or SIGTERM
 * <ul>
 *   <li>before the directory is made (the data are read and checked): exits 130 saying nothing
 *       was written;
 *   <li>while a new run's directory is made ({@link #make}): the hook waits for it, the start is
 *       taken back (only the {@code run.lock} of a stopped start stays, which the same command
 *       takes over) and it exits 130 saying to run the same command again;
 *   <li>once the directory is announced, while the actor system starts: writes the run's summary
 *       as interrupted (with a resumed run's checkpoint state, which stays as it was), says so in
 *       one line, and exits 130.
 * </ul>
 * Before it, a signal while the actors started left the summary "running", and one before the
 * directory was written (0.55 s with a 44 MB CSV) exited 143 leaving a directory with only
 * {@code run.lock}, which every later command refused (new-user test rounds, 2026-12-07).
 */
final class EarlyInterrupt {

  /** Exit code of a run ended by a signal (128 + SIGINT). */
  static final int INTERRUPTED = RunSummary.Status.INTERRUPTED.exitCode();

  private final AtomicBoolean owned = new AtomicBoolean(true);
  /** Whether {@link #handOver} ran (on the run's thread): a second call does nothing. */
  private boolean handedOver;
  private final Thread hook;
  private final String command;
  private final PrintStream out;
  private final PrintStream err;
  // Set by make, under this object's monitor, which the hook takes before it acts: a signal
  // never finds the directory half-made.
  private RunDirectory runDir;
  private RunSpec spec;
  private TrainingState start;
  /** The directory of a new run whose making a signal interrupted, taken back (else null). */
  private java.nio.file.Path takenBack;

  private EarlyInterrupt(String command, PrintStream out, PrintStream err) {
    this.command = command;
    this.out = out;
    this.err = err;
    this.hook = new Thread(() -> {
      if (owned.compareAndSet(true, false)) {
        synchronized (this) {
          endNow();
        }
      } // else handed over: the run's own hook (or its normal end) ends the run
    }, "tapetrain-interrupt-early");
  }

  /** Installs the hook of a run about to open its run directory. */
  static EarlyInterrupt install(String command, PrintStream out, PrintStream err) {
    EarlyInterrupt early = new EarlyInterrupt(command, out, err);
    Runtime.getRuntime().addShutdownHook(early.hook);
    return early;
  }

  /**
   * Makes (or reopens) the run directory with {@code maker}, out of a signal's way: a signal
   * meanwhile waits for it; then a new run's directory ({@code start} null) is taken back, a
   * resumed one's is ended as interrupted. If no signal came, {@code announce} says which
   * directory it is; from then on a signal ends the run as interrupted.
   *
   * @param early the hook, or null (an embedded run has none)
   */
  static RunDirectory make(EarlyInterrupt early, Supplier<RunDirectory> maker, RunSpec spec,
      TrainingState start, Runnable announce) {
    if (early == null) {
      RunDirectory made = uninterrupted(maker);
      announce.run();
      return made;
    }
    synchronized (early) {
      RunDirectory made = uninterrupted(maker);
      if (!early.owned.get() && start == null) {
        made.takeBack();
        early.takenBack = made.path();
      } else {
        early.runDir = made;
        early.spec = spec;
        early.start = start;
        if (early.owned.get()) {
          announce.run();
          return made;
        }
      }
    }
    waitForHalt(); // the hook, signalled, ends the run now that it may
    return null;
  }

  /**
   * {@code maker}'s directory, made with this thread's interrupt flag down and then put back:
   * a thread's interrupt closes the channels it writes through, so an embedded run (the Java
   * API) interrupted as it read its data failed "cannot write config.json: null" instead of
   * ending as interrupted once its actors run.
   */
  private static RunDirectory uninterrupted(Supplier<RunDirectory> maker) {
    boolean interrupted = Thread.interrupted();
    try {
      return maker.get();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
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

  /**
   * Writes the run's end as interrupted (if its directory is made), says so, and halts the JVM
   * with 130.
   */
  private void endNow() {
    if (runDir == null) {
      err.println(command + ": interrupted before the run started; " + (takenBack == null
          ? "nothing was written" : takenBack + " keeps nothing of it")
          + ": run the same command again");
      out.flush();
      err.flush();
      Runtime.getRuntime().halt(INTERRUPTED);
    }
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
