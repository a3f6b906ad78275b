package dev.tapetrain.coordinator.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.run.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.coordinator.spec.Defaults;
import dev.tapetrain.coordinator.spec.LegacyConfig;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.protocol.proto.RunNumbersProto;
import dev.tapetrain.data.CsvFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The training options of the command-line contract (README "Options"), shared by
 * {@code local-runner} and {@code coordinator} (a picocli mixin). Defaults are the TensorFlow
 * tutorial's, each once in {@link Defaults}.
 */
public final class TrainOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--model", defaultValue = Defaults.MODEL, paramLabel = "NAME",
      description = "The model: linear (the tutorial's), logistic, softmax, mlp, or one on the "
          + "class path of this process and the workers (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--classes", paramLabel = "K",
      description = "Classes of a classifier: logistic has 2; softmax defaults to 1 + the "
          + "largest label of the data (synthetic data: 3); mlp is a regression without it.")
  Integer classes;

  @Option(names = "--hidden", defaultValue = Defaults.HIDDEN, paramLabel = "H",
      description = "mlp: hidden units (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--steps", defaultValue = Defaults.STEPS, paramLabel = "N",
      description = "Training steps (default: ${DEFAULT-VALUE}).")
  long steps;

  @Option(names = "--learning-rate", defaultValue = Defaults.LEARNING_RATE, paramLabel = "LR",
      description = "Step size, > 0 (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--init-w", defaultValue = Defaults.INIT_W, paramLabel = "W",
      description = "Initial W; comma-separated for several features (default: ${DEFAULT-VALUE}).")
  String initW;

  @Option(names = "--init-b", defaultValue = Defaults.INIT_B, paramLabel = "B",
      description = "Initial B (default: ${DEFAULT-VALUE}).")
  double initB;

  @Option(names = "--optimizer", defaultValue = Defaults.OPTIMIZER, paramLabel = "NAME",
      description = "Optimizer: sgd, momentum or adam, with tf.keras' update rules "
          + "(default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--momentum", defaultValue = Defaults.MOMENTUM, paramLabel = "M",
      description = "momentum: decay of the velocity, in [0, 1) (default: ${DEFAULT-VALUE}).")
  double momentum;

  @Option(names = "--nesterov", description = "momentum: use Nesterov momentum.")
  boolean nesterov;

  @Option(names = "--beta1", defaultValue = Defaults.BETA1, paramLabel = "B1",
      description = "adam: first-moment decay (default: ${DEFAULT-VALUE}).")
  double beta1;

  @Option(names = "--beta2", defaultValue = Defaults.BETA2, paramLabel = "B2",
      description = "adam: second-moment decay (default: ${DEFAULT-VALUE}).")
  double beta2;

  @Option(names = "--epsilon", defaultValue = Defaults.EPSILON, paramLabel = "EPS",
      description = "adam: denominator guard (default: ${DEFAULT-VALUE}).")
  double epsilon;

  @Option(names = "--batch-fraction", defaultValue = Defaults.BATCH_FRACTION, paramLabel = "F",
      description = "Share of the chunks each step trains on, in (0, 1]; chosen from "
          + "(--seed, step), so runs are reproducible (default: ${DEFAULT-VALUE}, full batch).")
  double batchFraction;

  @Option(names = "--tolerance", defaultValue = Defaults.TOLERANCE, paramLabel = "T",
      description = "Stop early (status converged) when a step changes the parameters by less "
          + "than T relative to their norm; 0 never stops early (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(names = "--l2", defaultValue = Defaults.L2, paramLabel = "LAMBDA",
      description = "Add LAMBDA * |W|^2 to the loss (not B) (default: ${DEFAULT-VALUE}).")
  double l2;

  @Option(names = "--examples", defaultValue = Defaults.EXAMPLES, paramLabel = "N",
      description = "Synthetic data: number of samples (default: ${DEFAULT-VALUE}).")
  long examples;

  @Option(names = "--true-w", defaultValue = Defaults.TRUE_W, paramLabel = "W",
      description = "Synthetic data: true W (default: ${DEFAULT-VALUE}).")
  String trueW;

  @Option(names = "--true-b", defaultValue = Defaults.TRUE_B, paramLabel = "B",
      description = "Synthetic data: true B (default: ${DEFAULT-VALUE}).")
  double trueB;

  @Option(names = "--noise", defaultValue = Defaults.NOISE, paramLabel = "SIGMA",
      description = "Synthetic data: standard deviation of the noise (default: ${DEFAULT-VALUE}).")
  double noise;

  @Option(names = "--seed", defaultValue = Defaults.SEED, paramLabel = "SEED",
      description = "Seed of the synthetic data and of the mini-batch choice "
          + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data", paramLabel = "FILE.csv",
      description = "Train on a CSV file with a header row instead of synthetic data.")
  Path data;

  @Option(names = "--features", defaultValue = Defaults.FEATURES, paramLabel = "COLS",
      description = "CSV: feature column (default: ${DEFAULT-VALUE}).")
  String features;

  @Option(names = "--target", defaultValue = Defaults.TARGET, paramLabel = "COL",
      description = "CSV: target column (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--chunk-size", paramLabel = "N",
      description = "Samples per chunk, the unit of work and of determinism "
          + "(default: smallest power of two >= 64 giving at most 1024 chunks).")
  Integer chunkSize;

  @Option(names = "--log-every", defaultValue = Defaults.LOG_EVERY, paramLabel = "K",
      description = "Print and log every K steps (default: ${DEFAULT-VALUE}).")
  int logEvery;

  @Option(names = "--step-timeout", defaultValue = Defaults.STEP_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Seconds to wait for a step's answers before a silent worker's chunks go "
          + "to the others (default: ${DEFAULT-VALUE}).")
  double stepTimeoutSeconds;

  @Option(names = "--wait-timeout", defaultValue = Defaults.WAIT_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Seconds to wait for --workers workers to join before giving up "
          + "(default: ${DEFAULT-VALUE}).")
  double waitTimeoutSeconds;

  @Option(names = "--rejoin-timeout", defaultValue = Defaults.REJOIN_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Seconds to wait for a worker to come back (or a new one to join) when none "
          + "is left mid-run, before the run fails with its checkpoint; 0 fails at once "
          + "(default: ${DEFAULT-VALUE}).")
  double rejoinTimeoutSeconds;

  @Option(names = "--checkpoint-every", defaultValue = Defaults.CHECKPOINT_EVERY, paramLabel = "K",
      description = "Write checkpoint.pb every K steps and at the end (default: ${DEFAULT-VALUE}).")
  long checkpointEvery;

  @Option(names = "--run-dir", paramLabel = "DIR",
      description = "Run directory to create (default: runs/<timestamp>); never overwritten.")
  Path runDir;

  @Option(names = "--resume", paramLabel = "RUN_DIR",
      description = "Continue the run in RUN_DIR from its last checkpoint; only --steps may be "
          + "raised (and --workers and the timeouts changed).")
  Path resume;

  /** Chunk results of one step must fit in one message (Artery's 2 MiB frame). */
  static final long MAX_CHUNKS = 16_384;

  /** Options that may differ from the run's own when resuming: they do not change numbers. */
  private static final List<String> RESUMABLE = List.of("--steps", "--workers", "--log-every",
      "--step-timeout", "--wait-timeout", "--rejoin-timeout", "--checkpoint-every", "--resume",
      "--host", "--port");

  /**
   * For a command whose workers cannot come back or join (local-runner): a run with no worker
   * left fails at once.
   *
   * @throws UsageException if {@code --rejoin-timeout} was given anyway
   */
  public void withoutRejoining(String command) {
    if (given("--rejoin-timeout")) {
      throw new UsageException("--rejoin-timeout: " + command + "'s workers cannot come back or "
          + "join; the option is for coordinator.jar");
    }
    rejoinTimeoutSeconds = 0;
    noRejoining = true;
  }

  private boolean noRejoining;

  /** The run directory asked for, or null for the default. */
  public Path runDir() {
    return runDir;
  }

  /** The run to resume, or null for a new run. */
  public Path resumeDir() {
    return resume;
  }

  /**
   * The specification of the run in {@link #resumeDir()}: its numbers from its checkpoint
   * ({@code numbers}; for a checkpoint written before 2026-12-02, null, they are rebuilt from
   * config.json), with this command line's {@code --steps} (if given) and execution options
   * (else config.json's).
   *
   * @throws UsageException if an option that changes the numbers was given, or the data changed
   */
  public RunSpec toResumedSpec(int workers, JsonNode config, RunNumbersProto numbers) {
    if (runDir != null) {
      throw new UsageException("--resume continues in " + resume + "; --run-dir cannot be used "
          + "with it");
    }
    if (mixee != null && mixee.commandLine() != null) {
      for (picocli.CommandLine.Model.OptionSpec o : mixee.commandLine().getParseResult()
          .matchedOptions()) {
        if (!RESUMABLE.contains(o.longestName()) && !o.usageHelp() && !o.versionHelp()) {
          throw new UsageException("--resume: " + o.longestName() + " cannot change in a resumed"
              + " run (only --steps may be raised); start a new run instead");
        }
      }
    }
    JsonNode o = config.path("options");
    // Options not given again keep the run's own values.
    long totalSteps = given("--steps") ? steps : o.path("steps").asLong(steps);
    int logK = given("--log-every") ? logEvery : o.path("log_every").asInt(logEvery);
    long checkpointK = given("--checkpoint-every") ? checkpointEvery
        : o.path("checkpoint_every").asLong(checkpointEvery);
    stepTimeoutSeconds = given("--step-timeout") ? stepTimeoutSeconds
        : o.path("step_timeout_seconds").asDouble(stepTimeoutSeconds);
    waitTimeoutSeconds = given("--wait-timeout") ? waitTimeoutSeconds
        : o.path("wait_timeout_seconds").asDouble(waitTimeoutSeconds);
    rejoinTimeoutSeconds = given("--rejoin-timeout") || noRejoining ? rejoinTimeoutSeconds
        : o.path("rejoin_timeout_seconds").asDouble(rejoinTimeoutSeconds);
    RunSpec spec = wrap(() -> numbers != null
        ? RunSpec.fromNumbers(numbers, workers, totalSteps, logK, seconds(stepTimeoutSeconds),
            seconds(waitTimeoutSeconds), checkpointK, seconds(rejoinTimeoutSeconds))
        : LegacyConfig.spec(config, workers, totalSteps, logK, seconds(stepTimeoutSeconds),
            seconds(waitTimeoutSeconds), checkpointK, seconds(rejoinTimeoutSeconds)));
    if (spec.dataset().source() instanceof DatasetSpec.Csv csv) {
      Path file = Path.of(csv.path());
      CsvFile.Scan scan = CsvFile.scan(file, csv.featureColumns(), csv.targetColumn());
      if (!scan.sha256().equals(csv.sha256())) {
        throw new UsageException("--resume: " + file + " changed since the run started (SHA-256 "
            + scan.sha256().substring(0, 12) + "…, was "
            + csv.sha256().substring(0, Math.min(12, csv.sha256().length())) + "…)");
      }
    }
    return spec;
  }

  private boolean given(String option) {
    return mixee != null && mixee.commandLine() != null
        && mixee.commandLine().getParseResult().hasMatchedOption(option);
  }

  /**
   * Validates every option and builds the run specification; a CSV file is validated in full
   * here, once.
   *
   * @throws UsageException for a bad option value
   * @throws dev.tapetrain.data.DataException for bad data
   */
  public RunSpec toRunSpec(int workers) {
    if (workers < 1) {
      throw new UsageException("--workers must be at least 1, got " + workers);
    }
    if (chunkSize != null && chunkSize < 1) {
      throw new UsageException("--chunk-size must be at least 1, got " + chunkSize);
    }
    if (!(stepTimeoutSeconds > 0) || stepTimeoutSeconds > 86_400) {
      throw new UsageException("--step-timeout must be between 0 and 86400 seconds, got "
          + stepTimeoutSeconds);
    }
    if (!(rejoinTimeoutSeconds >= 0) || rejoinTimeoutSeconds > 86_400) {
      throw new UsageException("--rejoin-timeout must be between 0 and 86400 seconds, got "
          + rejoinTimeoutSeconds);
    }
    if (!(waitTimeoutSeconds > 0) || waitTimeoutSeconds > 86_400) {
      throw new UsageException("--wait-timeout must be between 0 and 86400 seconds, got "
          + waitTimeoutSeconds);
    }
    DatasetSpec.Source source;
    if (data != null) {
      for (String synthetic : List.of("--examples", "--true-w", "--true-b", "--noise")) {
        if (mixee != null && mixee.commandLine() != null
            && mixee.commandLine().getParseResult().hasMatchedOption(synthetic)) {
          throw new UsageException(synthetic + " describes synthetic data and cannot be used "
              + "with --data");
        }
      }
      List<String> featureColumns = names("--features", features);
      wrap(() -> {
        CsvFile.checkSelection(featureColumns, target);
        return null;
      });
      checkModelOptions();
      if (Files.isDirectory(data)) {
        throw new UsageException("--data " + data + ": is a directory, not a CSV file");
      }
      if (!Files.exists(data)) {
        throw new UsageException("--data " + data + ": no such file");
      }
      if (!Files.isRegularFile(data)) {
        throw new UsageException("--data " + data + ": not a regular file");
      }
      Integer known = classesFor(null);
      CsvFile.Scan scan = CsvFile.scan(data, featureColumns, target,
          classifier() ? y -> labelProblem(y, known) : y -> null);
      resolvedClasses = classesFor(scan.maxTarget());
      source = new DatasetSpec.Csv(data.toAbsolutePath().normalize().toString(), featureColumns,
          target, scan.rows(), scan.sha256());
    } else {
      if (examples < 1) {
        throw new UsageException("--examples must be at least 1, got " + examples);
      }
      checkModelOptions();
      resolvedClasses = classesFor(SYNTHETIC_SOFTMAX_CLASSES - 1.0);
      int dataClasses = classifier() ? resolvedClasses : 0;
      source = wrap(() -> new DatasetSpec.Synthetic(examples, numbers("--true-w", trueW), trueB,
          noise, seed, dataClasses));
    }
    int chunk = chunkSize != null ? chunkSize : DatasetSpec.defaultChunkSize(source.examples());
    DatasetSpec dataset = new DatasetSpec(source, chunk);
    long chunks = (source.examples() + chunk - 1) / chunk;
    if (chunks > MAX_CHUNKS) {
      throw new UsageException("--chunk-size " + chunk + " makes " + chunks + " chunks; at most "
          + MAX_CHUNKS + " fit in one message (raise --chunk-size)");
    }
    // One initial weight for every feature unless --init-w lists them.
    List<Double> w0 = numbers("--init-w", initW);
    if (w0.size() == 1 && source.features() > 1) {
      w0 = java.util.Collections.nCopies(source.features(), w0.get(0));
    }
    List<Double> initialW = w0;
    ModelSpec modelSpec = wrap(() -> new ModelSpec(model, resolvedClasses, hidden, seed,
        initialW, initB));
    return wrap(() -> new RunSpec(workers, steps, learningRate, initialW, initB,
        new OptimizerSpec(optimizer, momentum, nesterov, beta1, beta2, epsilon), dataset,
        new StepPolicy(batchFraction, seed, l2, tolerance), logEvery,
        seconds(stepTimeoutSeconds), seconds(waitTimeoutSeconds), checkpointEvery,
        seconds(rejoinTimeoutSeconds), modelSpec));
  }

  /** Synthetic data for softmax without --classes: three classes. */
  static final int SYNTHETIC_SOFTMAX_CLASSES = 3;

  private int resolvedClasses;

  private static final List<String> BUILT_IN = List.of("linear", "logistic", "softmax", "mlp");

  /** Whether the chosen built-in model is a classifier (user models: not checked here). */
  private boolean classifier() {
    return model.equals("logistic") || model.equals("softmax")
        || (model.equals("mlp") && classes != null);
  }

  /** Options that do not apply to the chosen built-in model are refused, by name. */
  private void checkModelOptions() {
    if (!model.matches("[a-z0-9][a-z0-9-]*")) {
      throw new UsageException("--model: '" + model + "' is not a model name (lower-case "
          + "letters, digits and dashes; built in: " + String.join(", ", BUILT_IN) + ")");
    }
    if (!BUILT_IN.contains(model)) {
      return; // a user's model: the workers check its options
    }
    if (classes != null && classes < 2) {
      throw new UsageException("--classes must be at least 2, got " + classes);
    }
    if (hidden < 1) {
      throw new UsageException("--hidden must be at least 1, got " + hidden);
    }
    if (!model.equals("linear")) {
      for (String o : List.of("--init-w", "--init-b")) {
        if (given(o)) {
          throw new UsageException(o + " does not apply to --model " + model + " (it starts "
              + (model.equals("mlp") ? "from Glorot-uniform weights drawn from --seed" : "at zeros")
              + ")");
        }
      }
    }
    if (model.equals("linear") && classes != null) {
      throw new UsageException("--classes does not apply to --model linear (a regression)");
    }
    if (model.equals("logistic") && classes != null && classes != 2) {
      throw new UsageException("--model logistic has 2 classes, not " + classes
          + " (use --model softmax)");
    }
    if (!model.equals("mlp") && given("--hidden")) {
      throw new UsageException("--hidden does not apply to --model " + model);
    }
  }

  /**
   * The number of classes: as given, 2 for logistic, for softmax without {@code --classes}
   * 1 + {@code maxLabel} (null: not known yet), 0 for a regression.
   */
  private Integer classesFor(Double maxLabel) {
    if (classes != null) {
      return classes;
    }
    switch (model) {
      case "logistic":
        return 2;
      case "softmax":
        if (maxLabel == null) {
          return null;
        }
        if (maxLabel < 1) {
          throw new UsageException("--model softmax: the labels of the data are all 0; a "
              + "classifier needs at least two classes");
        }
        return (int) (maxLabel + 1);
      default:
        return 0;
    }
  }

  /** Null if {@code y} is a class label (below {@code k} if known), else what is wrong. */
  private static String labelProblem(double y, Integer k) {
    if (y != Math.rint(y) || y < 0 || (k != null && y >= k)) {
      return "label " + y + " is not a class 0" + (k == null ? ", 1, 2 …"
          : k == 2 ? " or 1" : " … " + (k - 1));
    }
    return null;
  }

  /** Every option's effective value, for config.json. */
  public ObjectNode toJson(RunSpec spec) {
    ObjectNode o = Json.object();
    o.put("model", spec.model().name());
    o.put("classes", spec.model().classes());
    o.put("hidden", spec.model().hidden());
    o.put("workers", spec.workers());
    o.put("steps", spec.steps());
    o.put("learning_rate", spec.learningRate());
    ArrayNode w = o.putArray("init_w");
    spec.initW().forEach(w::add);
    o.put("init_b", spec.initB());
    o.put("optimizer", spec.optimizer().name());
    ObjectNode opt = o.putObject("optimizer_settings");
    opt.put("momentum", spec.optimizer().momentum());
    opt.put("nesterov", spec.optimizer().nesterov());
    opt.put("beta1", spec.optimizer().beta1());
    opt.put("beta2", spec.optimizer().beta2());
    opt.put("epsilon", spec.optimizer().epsilon());
    o.put("batch_fraction", spec.policy().batchFraction());
    o.put("batch_seed", spec.policy().batchSeed());
    o.put("l2", spec.policy().l2());
    o.put("tolerance", spec.policy().tolerance());
    o.put("chunk_size", spec.dataset().chunkSize());
    o.put("log_every", spec.logEvery());
    o.put("checkpoint_every", spec.checkpointEvery());
    o.put("step_timeout_seconds", stepTimeoutSeconds);
    o.put("wait_timeout_seconds", waitTimeoutSeconds);
    o.put("rejoin_timeout_seconds", rejoinTimeoutSeconds);
    return o;
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) (s * 1e9));
  }

  private static List<Double> numbers(String option, String text) {
    List<Double> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      try {
        double v = Double.parseDouble(part.trim());
        if (!Double.isFinite(v)) {
          throw new NumberFormatException();
        }
        out.add(v);
      } catch (NumberFormatException e) {
        throw new UsageException(option + ": '" + part.trim() + "' is not a finite number");
      }
    }
    return out;
  }

  private static List<String> names(String option, String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      if (part.isBlank()) {
        throw new UsageException(option + ": empty column name in '" + text + "'");
      }
      out.add(part.trim());
    }
    return out;
  }

  private static <T> T wrap(java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
