package dev.tapetrain.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.models.Models;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.node.RunEnd;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.node.cli.Cli;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One training run of a command ({@code local-runner} or {@code coordinator}): creates (or, with
 * {@code --resume}, reopens; with {@code --resume-if-exists}, {@link SameRun}) the run directory
 * ({@link RunOpening}), starts the actor system that hosts the coordinator, prints the
 * tutorial's output, waits for the end and returns the exit code.
 * SIGINT and SIGTERM interrupt the run: the last committed state goes to the checkpoint, the
 * summary says {@code interrupted}, and the process exits with 130.
 *
 * <p>The commands differ only in how they start the actor system ({@link Launcher}).
 */
public final class TrainingRun {

  /** Exit code of an interrupted run. */
  public static final int INTERRUPTED = RunSummary.Status.INTERRUPTED.exitCode();

  private TrainingRun() {}

  /** Starts the actor system whose guardian spawns {@code coordinator}. */
  @FunctionalInterface
  public interface Launcher {
    /**
     * @param spec        the run
     * @param coordinator the coordinator behaviour to spawn (see {@link CoordinatorGuardian})
     * @param done        completed with the summary, or failed if the coordinator crashed
     */
    ActorSystem<?> launch(RunSpec spec, Behavior<CoordinatorProtocol.Command> coordinator,
        CompletableFuture<RunSummary> done);

    /**
     * Checks that this process can run {@code spec} (e.g. that its samples fit in memory),
     * before a run directory exists.
     *
     * @throws dev.tapetrain.spi.UserError with one line if it cannot
     */
    default void check(RunSpec spec) {}

    /**
     * The worker of this process held longest by its model's code, if such holds keep every
     * actor thread busy (so the coordinator cannot run, nor its deadlines); empty (the default)
     * where no worker runs in this process. Read by the run's watchdog, off the actors.
     */
    default Optional<Held> held() {
      return Optional.empty();
    }
  }

  /** A worker held by its model's code in round {@code round} since {@code sinceNanos}. */
  public record Held(String worker, long round, long sinceNanos) {}

  /**
   * Runs the job described by {@code train} to the end. A run whose model holds the actor
   * threads past the step deadline (or when a signal comes) is ended from outside them
   * ({@link RunWatchdog}), and then the JVM halts: a thread stuck in a model cannot be stopped.
   *
   * @param extra listeners besides the console and the run directory (e.g. join messages)
   * @return the process exit code of the outcome
   */
  public static int run(String command, TrainOptions train, int workers,
      List<TrainingListener> extra, Launcher launcher, PrintStream out, PrintStream err)
      throws InterruptedException {
    return execute(command, train, workers, extra, launcher, out, err, null).code();
  }

  /**
   * How a run ended, for a caller that embeds it.
   *
   * @param code    the exit code the command would return
   * @param summary the run's summary; null if it has none (nothing to do, or it never started)
   * @param runDir  the run directory; null if none was made
   * @param message why it failed, if it failed before or outside its summary; else empty
   */
  public record Outcome(int code, RunSummary summary, Path runDir, String message) {}

  /**
   * As {@link #run}, for a caller inside a JVM that is not the run's own (the Java API): no
   * signal hook is installed and the JVM is never halted. A model that holds the actor threads
   * past the step deadline ends the run as failed all the same; its thread is abandoned, and the
   * actor system is told to terminate without waiting for it.
   *
   * <p>{@code stop}, once completed (from any thread), ends the run as a signal ends the
   * command's: before the run directory is made, nothing is written (exit code 130, no summary,
   * no directory); once it is open, with status {@code interrupted} and the last checkpoint. It
   * is acted on at those points only, never by interrupting this thread: an interrupt reaches
   * whatever this thread does at that moment (Akka's logger start-up, a file channel, which it
   * closes) and made the run fail or leave its summary "running" (new-user round, 2026-12-07).
   */
  public static Outcome runEmbedded(String command, TrainOptions train, int workers,
      List<TrainingListener> extra, Launcher launcher, CompletableFuture<?> stop,
      PrintStream out, PrintStream err) throws InterruptedException {
    if (stop.isDone()) {
      return new Outcome(INTERRUPTED, null, null, NOTHING_WRITTEN);
    }
    return execute(command, train, workers, extra, launcher, out, err, stop);
  }

  /** Why an embedded run stopped before its run directory was made. */
  public static final String NOTHING_WRITTEN =
      "interrupted before the run started; nothing was written";

  private static Outcome execute(String command, TrainOptions train, int workers,
      List<TrainingListener> extra, Launcher launcher, PrintStream out, PrintStream err,
      CompletableFuture<?> stop) throws InterruptedException {
    boolean embedded = stop != null;
    // A signal while the data are read, the directory is made, or the actors are made and
    // started (seconds on a loaded machine) ends the run as interrupted too (130): never a
    // directory that neither --resume nor the same command can go on with.
    EarlyInterrupt early = embedded ? null : EarlyInterrupt.install(command, out, err);
    RunOpening.Opened opened;
    if (!embedded) {
      // An embedding application gets them through its own logging (the default), not as
      // lines of a command it never ran.
      train.notesTo(command, err);
    }
    try {
      opened = RunOpening.open(command, train, workers, launcher, err, early);
    } catch (RuntimeException | Error e) {
      if (early != null) {
        early.handOver();
      }
      throw e;
    }
    if (opened.nothing() != null) {
      if (early != null) {
        early.handOver();
      }
      return opened.nothing();
    }
    RunSpec spec = opened.spec();
    RunDirectory runDir = opened.runDir();
    TrainingState start = opened.start();
    if (embedded && stop.isDone()) {
      return stoppedBeforeTraining(spec, runDir, start);
    }
    try {
      return started(command, spec, runDir, start, extra, launcher, out, err, stop, early);
    } catch (RuntimeException | Error e) {
      // Before the actors' own hook took over (a plug-in's code, a thread that cannot start):
      // the run ends failed with its real error, not "running", nor a false "interrupted".
      if (early != null && early.handOverIfPending()) {
        String why = Cli.describe(e);
        runDir.finish(RunSummary.beforeTraining(RunSummary.Status.FAILED, spec.steps(), start,
            "could not start: " + why));
        runDir.close();
      }
      throw e;
    }
  }

  /**
   * An embedded run told to stop while its directory was made: it ends there as interrupted,
   * as a signal ends the command's then ({@link EarlyInterrupt}), a resumed run's checkpoint as
   * it was.
   */
  private static Outcome stoppedBeforeTraining(RunSpec spec, RunDirectory runDir,
      TrainingState start) {
    RunSummary summary = RunSummary.beforeTraining(RunSummary.Status.INTERRUPTED, spec.steps(),
        start, "interrupted before training started");
    runDir.finish(summary);
    runDir.close();
    return new Outcome(INTERRUPTED, summary, runDir.path(), "");
  }

  /**
   * {@link #execute} once its run directory is open ({@code stop}: an embedded run's stop, else
   * null; {@code early}: the command's signal hook, else null).
   */
  private static Outcome started(String command, RunSpec spec, RunDirectory runDir,
      TrainingState start, List<TrainingListener> extra, Launcher launcher, PrintStream out,
      PrintStream err, CompletableFuture<?> stop, EarlyInterrupt early)
      throws InterruptedException {
    boolean embedded = stop != null;
    CompletableFuture<RunSummary> done = new CompletableFuture<>();
    List<TrainingListener> listeners = new ArrayList<>(extra);
    // The bar closes before the console's final lines (listeners run in this order).
    ProgressReporter progress = ProgressReporter.forTerminal(err, spec.logEvery(), spec.steps(),
        start != null ? start.steps() : 0);
    if (progress != null) {
      listeners.add(progress);
    }
    listeners.add(new ConsoleReporter(out, err, spec.logEvery(),
        Models.flatParameters(spec.model().name()),
        progress != null ? progress::above : Runnable::run)
        .miniBatches(spec.policy().batchSize() > 0 || spec.policy().batchFraction() < 1));
    // Last: the summary is written (the store finishes before this event) and printed.
    RunEnd.runStarts();
    listeners.add(event -> {
      if (event instanceof TrainingEvent.Finished f) {
        // Workers leave now; one that exits before its leave is seen is no news.
        RunEnd.runEnded();
        done.complete(f.summary());
      }
    });
    CompletableFuture<ActorRef<CoordinatorProtocol.Command>> coordinatorRef =
        new CompletableFuture<>();
    // The step log runs beside the coordinator, which never waits for a step's lines.
    BackgroundListener stepLog = new BackgroundListener(TrainingListener.all(listeners), runDir);
    Behavior<CoordinatorProtocol.Command> coordinator =
        Coordinator.create(spec, start, stepLog, stepLog);
    ActorSystem<?> system;
    try {
      system = launcher.launch(spec, Behaviors.setup(ctx -> {
        coordinatorRef.complete(ctx.getSelf());
        return coordinator;
      }), done);
    } catch (RuntimeException | Error e) {
      if (early != null) {
        early.handOver();
      }
      // The run never started: say so in its summary instead of leaving it "running".
      String why = Cli.describe(e);
      stepLog.close();
      if (progress != null) {
        progress.close();
      }
      runDir.finish(RunSummary.beforeTraining(RunSummary.Status.FAILED, spec.steps(), start,
          "could not start: " + why));
      runDir.close();
      err.println(command + ": failed: could not start: " + why);
      return new Outcome(1, null, runDir.path(), "could not start: " + why);
    }
    // An actor system that stops on its own (e.g. downed by the Split Brain Resolver) ends the
    // run as failed instead of leaving this thread waiting forever.
    system.getWhenTerminated().whenComplete((d, e) -> done.completeExceptionally(
        new IllegalStateException("the actor system stopped before the run finished")));
    RunWatchdog watchdog = new RunWatchdog(spec, launcher::held, stepLog, start);
    if (embedded) {
      watchdog.embedded();
    }
    Thread interrupt = new Thread(
        () -> interrupt(coordinatorRef, done, watchdog, system, runDir.path(), out, err),
        "tapetrain-interrupt");
    if (!embedded) {
      early.handOver(interrupt);
    }
    int code = 1;
    try {
      RunSummary summary;
      if (embedded) {
        // The run's end, or null as soon as it is told to stop (even before this line).
        CompletableFuture<RunSummary> endOrStop = new CompletableFuture<>();
        done.whenComplete((s, e) -> {
          if (e != null) {
            endOrStop.completeExceptionally(e);
          } else {
            endOrStop.complete(s);
          }
        });
        stop.whenComplete((s, e) -> endOrStop.complete(null));
        summary = watchdog.await(endOrStop);
        if (summary == null) {
          summary = interruptEmbedded(watchdog, done, coordinatorRef);
        }
      } else {
        summary = watchdog.await(done);
      }
      if (summary.status() == RunSummary.Status.FAILED && summary.steps() > 0) {
        err.println("continue with: --resume " + runDir.path());
      }
      code = summary.status().exitCode();
      return new Outcome(code, summary, runDir.path(), "");
    } catch (ExecutionException e) {
      String why = Cli.describe(e.getCause());
      stepLog.close(); // its queued lines first: the run directory has one writer at a time
      runDir.abandon(why);
      err.println(command + ": failed: " + why);
      return new Outcome(1, null, runDir.path(), why);
    } finally {
      boolean hookRuns = false;
      try {
        if (!embedded) {
          Runtime.getRuntime().removeShutdownHook(interrupt);
        }
      } catch (IllegalStateException shuttingDown) {
        hookRuns = true; // it finishes the run and halts the JVM
      }
      stepLog.close();
      if (progress != null) {
        progress.close();
      }
      if (embedded && watchdog.mustHalt()) {
        // The held thread is abandoned: never wait for it, and if its model returns, its
        // coordinator writes nothing more into this run.
        stepLog.seal();
        system.terminate();
      } else {
        if (!hookRuns && watchdog.mustHalt()) {
          halt(code, out, err); // the held actors would never terminate
        }
        terminate(system, err);
      }
      runDir.close();
    }
  }

  /**
   * An embedded run was told to stop (the Java API has no signals; its thread was interrupted):
   * the run is interrupted as a signal interrupts it, with the last committed state and status
   * interrupted, and says so ({@link Stop#interruptedThread}). A coordinator
   * not spawned yet is told as soon as it is.
   */
  private static RunSummary interruptEmbedded(RunWatchdog watchdog,
      CompletableFuture<RunSummary> done,
      CompletableFuture<ActorRef<CoordinatorProtocol.Command>> ref)
      throws InterruptedException, ExecutionException {
    ref.thenAccept(coordinator -> coordinator.tell(Interrupt.THREAD));
    return watchdog.awaitInterrupted(done, Interrupt.THREAD.stop());
  }

  /**
   * The JVM is shutting down (SIGINT, SIGTERM): commit what is done, then exit with 130. The
   * summary is written whatever the actors do: by the coordinator, or from outside when it
   * cannot answer ({@link RunWatchdog#awaitInterrupted}).
   */
  private static void interrupt(CompletableFuture<ActorRef<CoordinatorProtocol.Command>> ref,
      CompletableFuture<RunSummary> done, RunWatchdog watchdog, ActorSystem<?> system, Path dir,
      PrintStream out, PrintStream err) {
    int code = INTERRUPTED;
    if (!done.isDone()) {
      ActorRef<CoordinatorProtocol.Command> coordinator = ref.getNow(null);
      if (coordinator != null) {
        coordinator.tell(Interrupt.SIGNAL);
      }
      try {
        RunSummary summary = watchdog.awaitInterrupted(done,
            Interrupt.SIGNAL.stop());
        if (summary.status() != RunSummary.Status.INTERRUPTED) {
          code = summary.status().exitCode();
        } else if (!summary.params().isEmpty()) { // else no checkpoint holds the model yet
          err.println("continue with: --resume " + dir);
        }
      } catch (ExecutionException | InterruptedException e) {
        err.println("interrupted; the last checkpoint in " + dir + " is kept");
      }
    } else {
      code = done.join().status().exitCode();
    }
    if (!watchdog.mustHalt()) {
      terminate(system, err);
    }
    halt(code, out, err);
  }

  private static void halt(int code, PrintStream out, PrintStream err) {
    out.flush();
    err.flush();
    Runtime.getRuntime().halt(code);
  }

  private static void terminate(ActorSystem<?> system, PrintStream err) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      err.println("actor system did not stop cleanly: " + e);
    }
  }
}
