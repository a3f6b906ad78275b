package dev.tapetrain.localrunner.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.coordinator.RunSummary;
import dev.tapetrain.coordinator.TrainingRun;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.localrunner.LocalRunner;
import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.Models;
import dev.tapetrain.worker.LocalModelFailures;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Trains a model from Java code, in this JVM, with the engine, files and bits of
 * {@code local-runner}: the options are its command line's, so a {@code Trainer} and
 * {@code local-runner} given the same options write the same run, bit for bit.
 *
 * <p>Usage: {@link #builder()}, set options, {@link Builder#build()}, {@link #fit()} (again for
 * each run: every fit writes its own run directory).
 *
 * <pre>{@code
 * TrainedRun run = Trainer.builder().steps(200).learningRate(0.01)
 *     .runDir(Path.of("runs/api")).build().fit();
 * double[][] y = run.predict(new double[][] {{1.0}, {2.0}});
 * }</pre>
 *
 * <p>It never exits or halts this JVM and installs no signal handler. A run that does not
 * complete throws {@link TrainingFailedException} with its status and message; a bad option, bad
 * data or an unusable run directory throws {@link IllegalArgumentException} with the one line
 * the command line prints. A model whose code never returns fails the run at
 * {@code --step-timeout} (default 30 s): {@code fit()} throws, and the thread stuck in the
 * model is abandoned (it cannot be stopped; its actor system runs on daemon threads, so it does
 * not keep the JVM alive).
 */
public final class Trainer {

  private final List<String> args;
  private final ModelFactory factory;
  private final StepListener listener;
  private final EpochListener epochListener;
  private final PrintStream out;
  private final PrintStream err;

  private Trainer(Builder b) {
    List<String> all = new ArrayList<>();
    b.single.forEach((name, value) -> {
      all.add(name);
      all.add(value);
    });
    all.addAll(b.args);
    this.args = List.copyOf(all);
    this.factory = b.factory;
    this.listener = b.listener;
    this.epochListener = b.epochListener;
    this.out = b.out;
    this.err = b.err;
  }

  /** A builder with the tutorial's defaults (those of {@code local-runner}). */
  public static Builder builder() {
    return new Builder();
  }

  /** The command line this trainer runs, as {@code local-runner} takes it. */
  public List<String> commandLine() {
    return args;
  }

  /**
   * Trains to the end and returns the trained model.
   *
   * <p>An interrupt of the calling thread, at any point (also before the call), stops the run
   * as Ctrl-C stops the command line's: {@code fit()} throws {@link TrainingFailedException}
   * with status {@code interrupted} and exit code 130, once the run has ended (its actor system
   * stopped), and the thread's interrupt flag is set again. Before the run directory is made,
   * nothing is written ({@code runDir()} null); after, its summary says {@code interrupted}
   * and {@code --resume} continues from the last checkpoint.
   *
   * @throws TrainingFailedException if the run diverged, failed or was interrupted
   * @throws IllegalArgumentException for a bad option, bad data or an unusable run directory
   * @throws InterruptedException never any more (an interrupt ends as above); declared so that
   *     callers written against earlier versions still compile
   */
  public TrainedRun fit() throws InterruptedException {
    // The run works on a thread of its own, and the caller's thread only waits for it. An
    // interrupt of the caller used to reach whatever start-up did on that thread at the time:
    // Akka's logger start-up failed the run ("could not start: Could not start logger"), a
    // file channel being written closed itself (an uncaught "cannot write events.out.tfevents:
    // null", summary left "running") and the flag was lost (new-user round, 2026-12-07). Now
    // an interrupt is only remembered and passed on as a stop request, which the run acts on
    // at defined points: before its directory is made, once it is open, and while it trains.
    boolean interrupted = Thread.interrupted();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    if (interrupted) {
      stop.complete(null);
    }
    CompletableFuture<TrainedRun> result = new CompletableFuture<>();
    Thread runner = new Thread(() -> {
      try {
        result.complete(run(stop));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "tapetrain-fit");
    runner.setDaemon(true); // it never outlives fit(); daemon all the same, as the actors are
    runner.start();
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          interrupted = true;
          stop.complete(null); // the run ends soon, as interrupted: wait for it
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      // Its result is in; the thread only returns now. Then the flag, as the caller left it.
      interrupted |= joinUninterruptibly(runner);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for {@code thread} to end; true if this thread was interrupted meanwhile. */
  private static boolean joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  /** The run, on the thread {@link #fit()} started; {@code stop} ends it as interrupted. */
  private TrainedRun run(CompletableFuture<Void> stop) throws InterruptedException {
    Follower follower = new Follower(listener, epochListener);
    TrainingRun.Outcome outcome;
    try (AutoCloseable provided = factory != null ? Models.provide(factory) : () -> {}) {
      outcome = LocalRunner.runEmbedded(args.toArray(String[]::new), List.of(follower),
          ConfigFactory.parseString("akka.daemonic = on"), stop, out, err);
      RunSummary s = outcome.summary();
      if (s == null && outcome.code() == 0 && outcome.runDir() != null) {
        // Nothing left to do (a resumed run that already has its steps, or stopped early; the
        // command line exits 0): the run as it is, read back as predict reads it.
        return finished(outcome.runDir());
      }
      if (s == null) {
        boolean stopped = outcome.code() == RunSummary.Status.INTERRUPTED.exitCode();
        throw new TrainingFailedException(stopped ? RunSummary.Status.INTERRUPTED.label()
            : "failed", outcome.message().isEmpty() ? "the run did not train"
            : outcome.message(), outcome.runDir(), outcome.code(),
            LocalModelFailures.take(outcome.message()).orElse(null));
      }
      if (s.status() == RunSummary.Status.INTERRUPTED && stop.isDone()) {
        throw new TrainingFailedException(s.status().label(), "the thread running fit() was "
            + "interrupted after " + s.steps() + " step(s); continue with "
            + (s.steps() > 0 ? "--resume " : "--resume-if-exists --run-dir ")
            + outcome.runDir(), outcome.runDir(), s.status().exitCode());
      }
      // A run that ended as planned — all steps, converged, or stopped early by its own rule
      // (Keras' fit returns after EarlyStopping too) — is a result; the rest fail (exit ≠ 0).
      if (s.status().exitCode() != 0) {
        throw new TrainingFailedException(s.status().label(), s.message(), outcome.runDir(),
            s.status().exitCode(), LocalModelFailures.take(s.message()).orElse(null));
      }
      // Read back as `predict` reads it: the model rebuilt from the run, the checkpoint's bits.
      // Its metrics as summary.json has them: at the trained parameters (a run of mini-batches
      // evaluates them after its last step), not the last step's batch.
      TrainedModel model = TrainedModel.load(outcome.runDir());
      return new TrainedRun(model, s.status().label(), s.steps(), s.loss(),
          metrics(model, summary(outcome.runDir())));
    } catch (RuntimeException | InterruptedException e) {
      throw e;
    } catch (Exception closing) {
      throw new IllegalStateException(closing);
    }
  }

  /** A run that ended before: its summary.json's status, steps, loss and metrics. */
  private static TrainedRun finished(Path runDir) {
    TrainedModel model = TrainedModel.load(runDir);
    JsonNode summary = summary(runDir);
    return new TrainedRun(model, summary.path("status").asText(), summary.path("steps").asLong(),
        summary.path("loss").asDouble(), metrics(model, summary));
  }

  private static JsonNode summary(Path runDir) {
    try {
      return Json.MAPPER.readTree(runDir.resolve("summary.json").toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(runDir + ": cannot read summary.json: " + e.getMessage());
    }
  }

  /** The model's metrics in {@code summary}, by name. */
  private static Map<String, Double> metrics(TrainedModel model, JsonNode summary) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (String name : model.model().metrics()) {
      if (summary.path(name).isNumber()) {
        metrics.put(name, summary.path(name).asDouble());
      }
    }
    return metrics;
  }

  /**
   * The options of one {@link Trainer}. Each method is one of {@code local-runner}'s options
   * (README "Options"); {@link #option} gives any other.
   */
  public static final class Builder {
    /** The options of the typed setters: set again, the last value wins (as in most builders). */
    private final Map<String, String> single = new LinkedHashMap<>();
    /** {@link #option} and {@link #flag}, in order: some options may be given several times. */
    private final List<String> args = new ArrayList<>();
    private ModelFactory factory;
    private StepListener listener;
    private EpochListener epochListener;
    private PrintStream out = quiet();
    private PrintStream err = quiet();

    private Builder() {}

    /** {@code --model NAME}: a built-in model or one on the class path. */
    public Builder model(String name) {
      this.factory = null;
      return setting("--model", name);
    }

    /**
     * Trains {@code model}, a user's model handed over directly (no {@code META-INF/services}
     * entry needed): {@code --model} its name. It is visible to this JVM's runs under that name
     * while {@link #fit()} runs.
     */
    public Builder model(ModelFactory model) {
      this.factory = model;
      return setting("--model", model.name());
    }

    /** {@code --steps N}. */
    public Builder steps(long steps) {
      return setting("--steps", Long.toString(steps));
    }

    /** {@code --learning-rate LR}. */
    public Builder learningRate(double rate) {
      return setting("--learning-rate", Double.toString(rate));
    }

    /** {@code --optimizer NAME}: sgd, momentum, adam or a plug-in. */
    public Builder optimizer(String name) {
      return setting("--optimizer", name);
    }

    /** {@code --workers N}: worker actors (the result does not depend on it). */
    public Builder workers(int workers) {
      return setting("--workers", Integer.toString(workers));
    }

    /**
     * {@code --data FILE}: train on a file instead of synthetic data; called again, adds a file
     * (the files are one dataset, as several {@code --data} on the command line).
     */
    public Builder data(Path file) {
      return option("--data", file.toString());
    }

    /** {@code --run-dir DIR}: where the run is written (default {@code runs/<timestamp>}). */
    public Builder runDir(Path dir) {
      return setting("--run-dir", dir.toString());
    }

    /** {@code --set NAME=VALUE}: a setting of a plug-in model, optimizer or input format. */
    public Builder set(String name, String value) {
      return option("--set", name + "=" + value);
    }

    private Builder setting(String name, String value) {
      single.put(name, value);
      return this;
    }

    /**
     * Any option of {@code local-runner}, e.g. {@code option("--l2", "0.01")}, passed as given
     * (an option that may appear once and is given twice is refused when the trainer fits).
     */
    public Builder option(String name, String value) {
      refuseHelp(name);
      args.add(name);
      args.add(value);
      return this;
    }

    /**
     * A flag of {@code local-runner} that takes no value, e.g. {@code flag("--nesterov")}.
     *
     * @throws IllegalArgumentException for {@code --help}, {@code --version} (and {@code -h},
     *     {@code -V}): they print instead of training, which the API has no use for
     */
    public Builder flag(String name) {
      refuseHelp(name);
      args.add(name);
      return this;
    }

    /**
     * Refuses an option that prints help or a version: the parser took it and the run then
     * trained the default job, 200 steps nobody asked for (new-user round, 2026-12-07).
     */
    private static void refuseHelp(String name) {
      String option = name.contains("=") ? name.substring(0, name.indexOf('=')) : name;
      if (LocalRunner.helpOptions().contains(option)) {
        throw new IllegalArgumentException(LocalRunner.helpRefused(option));
      }
    }

    /**
     * Told at the end of every epoch of a run with {@code --epochs}, on one of the run's threads
     * ({@link EpochListener}): Keras' {@code on_epoch_end}.
     */
    public Builder onEpoch(EpochListener listener) {
      this.epochListener = listener;
      return this;
    }

    /** Told every step, on one of the run's threads ({@link StepListener}). */
    public Builder onStep(StepListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Prints the command line's console output (the tutorial's lines) to {@code out} and its
     * messages to {@code err}; by default a trainer prints nothing.
     */
    public Builder console(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
      return this;
    }

    /** The trainer; options are checked when it fits. */
    public Trainer build() {
      return new Trainer(this);
    }

    private static PrintStream quiet() {
      return new PrintStream(OutputStream.nullOutputStream());
    }
  }
}
