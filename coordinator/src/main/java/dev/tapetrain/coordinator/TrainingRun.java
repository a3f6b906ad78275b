package dev.tapetrain.coordinator;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.protocol.RunSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One training run of a command ({@code local-runner} or {@code coordinator}): creates the run
 * directory, starts the actor system that hosts the coordinator, prints the tutorial's output,
 * waits for the end and returns the exit code. The commands differ only in how they start the
 * actor system ({@link Launcher}).
 */
public final class TrainingRun {

  private TrainingRun() {}

  /** Starts the actor system whose guardian spawns {@code coordinator}. */
  @FunctionalInterface
  public interface Launcher {
    /**
     * @param coordinator the coordinator behaviour to spawn (see {@link CoordinatorGuardian})
     * @param done        completed with the summary, or failed if the coordinator crashed
     */
    ActorSystem<?> launch(Behavior<CoordinatorProtocol.Command> coordinator,
        CompletableFuture<RunSummary> done);
  }

  /**
   * Runs {@code spec} to the end.
   *
   * @param extra listeners besides the console and the run directory (e.g. join messages)
   * @return the process exit code of the outcome
   */
  public static int run(String command, TrainOptions train, RunSpec spec,
      List<TrainingListener> extra, Launcher launcher, PrintStream out, PrintStream err)
      throws InterruptedException {
    Path dir = train.runDir() != null ? train.runDir() : RunDirectory.newRunPath(Path.of("runs"));
    RunDirectory runDir = RunDirectory.create(dir, spec, command, train.toJson(spec));
    err.println("run directory: " + dir);
    CompletableFuture<RunSummary> done = new CompletableFuture<>();
    List<TrainingListener> listeners = new ArrayList<>(extra);
    listeners.add(new ConsoleReporter(out, err, spec.logEvery()));
    listeners.add(runDir);
    listeners.add(new TrainingListener() {
      @Override
      public void onFinish(RunSummary summary) {
        done.complete(summary);
      }
    });
    ActorSystem<?> system =
        launcher.launch(Coordinator.create(spec, TrainingListener.all(listeners)), done);
    try {
      return done.get().status().exitCode();
    } catch (ExecutionException e) {
      err.println(command + ": failed: " + e.getCause().getMessage());
      return 1;
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        err.println(command + ": actor system did not stop cleanly: " + e);
      }
    }
  }
}
