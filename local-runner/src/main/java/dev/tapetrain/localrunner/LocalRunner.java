package dev.tapetrain.localrunner;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.data.ScanHandoff;
import dev.tapetrain.coordinator.TrainingListener;
import dev.tapetrain.coordinator.TrainingRun;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.worker.CacheOptions;
import dev.tapetrain.worker.LoopFiles;
import dev.tapetrain.worker.WorkerThreadsOption;
import dev.tapetrain.localrunner.export.ExportCommand;
import dev.tapetrain.localrunner.inspect.InspectCommand;
import dev.tapetrain.localrunner.predict.PredictCommand;
import dev.tapetrain.node.cli.Cli;
import dev.tapetrain.node.cli.LauncherLogging;
import dev.tapetrain.spi.UserError;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar local-runner.jar [options]}: trains in one JVM with {@code --workers} worker
 * actors, printing the TensorFlow tutorial's output and writing a run directory.
 *
 * <p>Exit codes: 0 completed, 1 failed, 2 bad input, 3 diverged.
 */
@Command(name = "local-runner", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tapetrain local-runner 0.1.0",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:completed",
        "1:failed (no worker left, the model's own error, internal error)",
        "2:bad option or data", "3:diverged (non-finite loss)",
        "130:interrupted (Ctrl-C or SIGTERM; resume with --resume RUN_DIR)"})
public final class LocalRunner implements Callable<Integer> {

  @Option(names = "--workers", defaultValue = "4", paramLabel = "N", order = -1,
      description = "Worker actors in this JVM (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--threads", paramLabel = "N", order = -1,
      description = "Threads that run the actors (default: 1 while a step's work is at most "
          + "that of 65536 samples of the tutorial's line (samples x parameters / 2), where "
          + "hand-offs between threads cost more than they save; else one per core).")
  Integer threads;

  @Mixin
  TrainOptions train;

  @Mixin
  CacheOptions cache;

  @Mixin
  WorkerThreadsOption workerThreads;

  private final PrintStream out;
  private final PrintStream err;

  LocalRunner(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Entry point of the runnable jar. */
  public static void main(String[] args) {
    LauncherLogging.start(); // tapetrain's logging, before anything logs
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line {@code args} and returns the exit code (for tests and main). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0) {
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      switch (args[0]) {
        case "inspect":
          return Cli.execute(new InspectCommand(out, err), rest, out, err);
        case "predict":
          return Cli.execute(new PredictCommand(out, err), rest, out, err);
        case "export":
          return Cli.execute(new ExportCommand(out, err), rest, out, err);
        default:
          break;
      }
    }
    CommandLine cl = new CommandLine(new LocalRunner(out, err));
    cl.setCommandName(commandName());
    cl.getCommandSpec().usageMessage().description(description(launched() ? "tapetrain"
        : "local-runner"));
    return Cli.execute(cl, args, out, err);
  }

  /**
   * Whether {@code bin/tapetrain} started this JVM (it sets {@code tapetrain.launcher}): the
   * user typed {@code tapetrain train}, so messages and help name that, not the jar's
   * {@code local-runner} (a new user read "local-runner: …" under a command they never typed).
   */
  private static boolean launched() {
    return System.getProperty("tapetrain.launcher") != null;
  }

  /** The command as the user typed it: what messages start with and help shows. */
  static String commandName() {
    return launched() ? "tapetrain train" : "local-runner";
  }

  /** The help's description, naming the other commands as {@code tools} runs them. */
  private static String[] description(String tools) {
    return new String[] {
        "Train a model (by default the tutorial's y = W*x + B) by gradient descent, "
            + "data-parallel over worker actors in one JVM. Defaults reproduce the TensorFlow "
            + "GradientTape tutorial.",
        "Writes runs/<id>/config.json, steps.jsonl and summary.json.",
        "'" + tools + " inspect RUN_DIR [RUN_B]' summarises or compares runs, '" + tools
            + " predict RUN_DIR --data FILE.csv' scores new data with a run's model, '" + tools
            + " export RUN_DIR --onnx FILE.onnx' writes it as ONNX (each has --help)."};
  }

  /**
   * Trains as {@code local-runner args} would, inside the caller's JVM (the Java API,
   * {@link dev.tapetrain.localrunner.api.Trainer}): no signal hook, never halts, the actor
   * system configured with {@code akka} over local-runner's settings.
   *
   * {@code stop}, completed from any thread, ends the run as interrupted (see {@link
   * TrainingRun#runEmbedded}).
   *
   * @throws UserError for a bad option, bad data or an unusable run directory (one line)
   */
  public static TrainingRun.Outcome runEmbedded(String[] args, List<TrainingListener> listeners,
      Config akka, CompletableFuture<?> stop, PrintStream out, PrintStream err)
      throws InterruptedException {
    LocalRunner runner = new LocalRunner(out, err);
    try {
      CommandLine.ParseResult parsed = new CommandLine(runner).parseArgs(args);
      if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
        throw new UserError(helpRefused(parsed.matchedOptions().stream()
            .filter(o -> o.usageHelp() || o.versionHelp()).findFirst().orElseThrow()
            .longestName()));
      }
    } catch (CommandLine.ParameterException e) {
      throw new UserError(Cli.message(e));
    }
    runner.checkThreads();
    runner.train.withoutRejoining("local-runner");
    try {
      CacheSettings cache = runner.cache.settings(System.getenv());
      LoopFiles.install(cache);
      return TrainingRun.runEmbedded("local-runner", runner.train, runner.workers, listeners,
          new LocalLauncher(runner.threads, akka, cache, runner.workerThreads.count()), stop,
          out, err);
    } finally {
      ScanHandoff.release(); // a run that never started its workers leaves nothing behind
    }
  }

  /**
   * The names of the options that print the command line's help or version instead of training
   * ({@code --help}, {@code -h}, {@code --version}, {@code -V}): an embedded run (the Java API)
   * refuses them, where they used to be parsed and then ignored, training the default job.
   */
  public static Set<String> helpOptions() {
    Set<String> names = new LinkedHashSet<>();
    new CommandLine(new LocalRunner(System.out, System.err)).getCommandSpec().options().stream()
        .filter(o -> o.usageHelp() || o.versionHelp())
        .forEach(o -> names.addAll(List.of(o.names())));
    return Set.copyOf(names);
  }

  /** The one line that refuses help option {@code name} in an embedded run. */
  public static String helpRefused(String name) {
    return name + " prints local-runner's help or version and trains nothing; the Java API takes "
        + "only training options (see `java -jar local-runner.jar --help` for them)";
  }

  private void checkThreads() {
    if (threads != null && (threads < 1 || threads > MAX_THREADS)) {
      throw new UserError("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    checkThreads();
    train.withoutRejoining(commandName());
    try {
      CacheSettings settings = cache.settings(System.getenv());
      LoopFiles.install(settings);
      return TrainingRun.run(commandName(), train, workers, List.of(),
          new LocalLauncher(threads, ConfigFactory.empty(), settings, workerThreads.count()),
          out, err);
    } finally {
      ScanHandoff.release(); // a run that never started its workers leaves nothing behind
    }
  }

  /** More threads than this only add hand-offs (and the pool refuses far more). */
  static final int MAX_THREADS = LocalLauncher.MAX_THREADS;
}
