package dev.tapetrain.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.optim.LearningRateSchedule;
import dev.tapetrain.coordinator.optim.OptimizerFactory;
import dev.tapetrain.coordinator.optim.Optimizers;
import dev.tapetrain.coordinator.spec.Defaults;
import dev.tapetrain.coordinator.spec.EarlyStop;
import dev.tapetrain.coordinator.run.LegacyConfig;
import dev.tapetrain.coordinator.run.RunConfig;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Targets;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.proto.RunNumbersProto;
import dev.tapetrain.spi.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The training options of the command-line contract (README "Options"), shared by
 * {@code local-runner} and {@code coordinator} (a picocli mixin). Defaults are the TensorFlow
 * tutorial's, each once in {@link Defaults}.
 */
public final class TrainOptions {

  CommandSpec mixee;

  private final PluginOptions pluginOptions = new PluginOptions();

  /** Why a model of so many values cannot be trained by this process (null: it can). */
  private java.util.function.LongFunction<String> modelSizeLimit = values -> null;
  private java.util.function.LongFunction<String> dataSizeLimit = bytes -> null;

  /** Picocli hands the command over here; the built-in plug-ins' settings become options. */
  @Spec(Spec.Target.MIXEE)
  void setMixee(CommandSpec spec) {
    this.mixee = spec;
    pluginOptions.addTo(spec);
  }

  @Option(names = "--model", defaultValue = Defaults.MODEL, paramLabel = "NAME",
      description = "The model: linear (the tutorial's), logistic, softmax, mlp, or one on the "
          + "class path of this process and the workers (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--set", paramLabel = "NAME=VALUE",
      description = "A setting of a plug-in model, optimizer or input format that is not built "
          + "in (repeatable); built-in settings have options of their own.")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(names = "--classes", paramLabel = "K",
      description = "Classes of a classifier: logistic has 2; softmax defaults to 1 + the "
          + "largest label of the data (synthetic data: 3); mlp is a regression without it.")
  Integer classes;

  @Option(names = "--steps", defaultValue = Defaults.STEPS, paramLabel = "N",
      description = "Training steps (default: ${DEFAULT-VALUE}).")
  long steps;

  @Option(names = "--learning-rate", defaultValue = Defaults.LEARNING_RATE, paramLabel = "LR",
      description = "Step size, > 0 (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--optimizer", defaultValue = Defaults.OPTIMIZER, paramLabel = "NAME",
      description = "Optimizer: sgd, momentum or adam, with tf.keras' update rules "
          + "(default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--batch-fraction", defaultValue = Defaults.BATCH_FRACTION, paramLabel = "F",
      description = "Share of the chunks each step trains on, in (0, 1]; chosen from "
          + "(--seed, step), so runs are reproducible (default: ${DEFAULT-VALUE}, full batch).")
  double batchFraction;

  /** The options of epochs of mini-batches (docs/training-loop.md). */
  @picocli.CommandLine.Mixin
  EpochOptions epochOptions = new EpochOptions();

  /** {@code --class-weight} (docs/training-loop.md). */
  @picocli.CommandLine.Mixin
  ClassWeightOptions classWeightOptions = new ClassWeightOptions();

  /** The options of a learning-rate schedule (docs/training-loop.md). */
  @picocli.CommandLine.Mixin
  ScheduleOptions scheduleOptions = new ScheduleOptions();

  @Option(names = "--tolerance", defaultValue = Defaults.TOLERANCE, paramLabel = "T",
      description = "Stop early (status converged) when a step changes the parameters by less "
          + "than T relative to their norm; 0 never stops early (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(names = "--l2", defaultValue = Defaults.L2, paramLabel = "LAMBDA",
      description = "Add LAMBDA * |W|^2 to the loss (not B) (default: ${DEFAULT-VALUE}).")
  double l2;

  @Option(names = "--seed", defaultValue = Defaults.SEED, paramLabel = "SEED",
      description = "Seed of the synthetic data and of the mini-batch choice "
          + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data", paramLabel = "FILE", arity = "1..*",
      description = "Train on data files instead of synthetic data: CSV with a header row or "
          + "Parquet; several files, a directory or a quoted glob form one dataset, in path "
          + "order.")
  List<String> data;

  @Option(names = "--format", paramLabel = "NAME",
      description = "Input format of --data (default: the format its extension names, else csv; "
          + "synthetic without --data). --validation-data is read in the format its own "
          + "extension names: NAME reads the files it claims or no format claims.")
  String format;

  @Option(names = "--chunk-size", paramLabel = "N",
      description = "Samples per chunk, the unit of work and of determinism "
          + "(default: smallest power of two >= 64 giving at most 1024 chunks).")
  Integer chunkSize;

  @Option(names = "--log-every", defaultValue = Defaults.LOG_EVERY, paramLabel = "K",
      description = "Print and log every K steps (default: ${DEFAULT-VALUE}).")
  int logEvery;

  /** --step-timeout, --wait-timeout, --rejoin-timeout. */
  @picocli.CommandLine.Mixin
  TimeoutOptions timeouts = new TimeoutOptions();

  @Option(names = "--checkpoint-every", defaultValue = Defaults.CHECKPOINT_EVERY, paramLabel = "K",
      description = "Write checkpoint.pb every K steps and at the end (default: ${DEFAULT-VALUE}).")
  long checkpointEvery;

  /** The options of the run directory and of resuming a run. */
  @picocli.CommandLine.Mixin
  RunDirOptions runDirOptions = new RunDirOptions();

  /** Chunk results of one step must fit in one message (Artery's 2 MiB frame). */
  static final long MAX_CHUNKS = 16_384;

  /**
   * For a command whose workers cannot come back or join (local-runner): a run with no worker
   * left fails at once.
   *
   * @throws UsageException if {@code --rejoin-timeout} was given anyway
   */
  public void withoutRejoining(String command) {
    timeouts.withoutRejoining(command, this::given);
  }

  /** The run directory asked for, or null for the default. */
  public Path runDir() {
    return runDirOptions.runDir;
  }

  /**
   * Whether an existing {@link #runDir()} holding this same run is continued instead of refused
   * ({@code --resume-if-exists}, or {@link #resumeIfExistsWhenPlaced()}).
   *
   * @throws UsageException if asked for without {@code --run-dir}, or with {@code --resume}
   */
  public boolean resumeIfExists() {
    return runDirOptions.resumeIfExists();
  }

  /**
   * The operators' environment placed this process (a pod a Kubernetes operator restarts with
   * the same command line): an existing run directory of the same run is continued, as with
   * {@code --resume-if-exists}.
   */
  public void resumeIfExistsWhenPlaced() {
    runDirOptions.resumeIfExistsWhenPlaced();
  }

  /** The run to resume, or null for a new run. */
  public Path resumeDir() {
    return runDirOptions.resume;
  }

  /** The {@code --steps} given on the command line, if given (a resumed run keeps its own). */
  public java.util.OptionalLong givenSteps() {
    return given("--steps") ? java.util.OptionalLong.of(steps) : java.util.OptionalLong.empty();
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
    runDirOptions.checkResumable(mixee != null && mixee.commandLine() != null
        ? mixee.commandLine().getParseResult() : null, config);
    // Options not given again keep the run's own values.
    RunConfig.Execution old = RunConfig.execution(config, new RunConfig.Execution(steps,
        logEvery, checkpointEvery, timeouts.stepSeconds, timeouts.waitSeconds,
        timeouts.rejoinSeconds));
    long totalSteps = epochOptions.resumedSteps(numbers, old.steps(), steps, this::given);
    int logK = given("--log-every") ? logEvery : old.logEvery();
    long checkpointK = given("--checkpoint-every") ? checkpointEvery : old.checkpointEvery();
    timeouts.keepUnlessGiven(old, this::given);
    RunSpec spec = wrap(() -> numbers != null
        ? RunSpec.fromNumbers(numbers, workers, totalSteps, logK, timeouts.step(),
            timeouts.waitForWorkers(), checkpointK, timeouts.rejoin())
        : LegacyConfig.spec(config, workers, totalSteps, logK, timeouts.step(),
            timeouts.waitForWorkers(), checkpointK, timeouts.rejoin()));
    DatasetSpec.Source source = spec.dataset().source();
    String now = InputFormats.plugins(Set.of()).get(source.format(), "--resume: the run's data")
        .digestNow(source);
    RunDirOptions.checkDataUnchanged(source, now);
    DatasetSpec.Source validation = spec.dataset().validation();
    if (validation != null) {
      RunDirOptions.checkDataUnchanged(validation, InputFormats.plugins(Set.of())
          .get(validation.format(), "--resume: the run's validation data").digestNow(validation));
    }
    return spec;
  }

  boolean given(String option) {
    return mixee != null && mixee.commandLine() != null
        && mixee.commandLine().getParseResult().hasMatchedOption(option);
  }

  /**
   * Workers a run may have: each is an actor with its shard (local-runner) or a process the
   * coordinator waits for, and a run has as many chunks to spread as its data allow; 100 000
   * workers of 16 chunks sat for minutes at 3 GB before (a new-user test round, 2026-12-07).
   */
  public static final int MAX_WORKERS = 4096;

  /** Refuses a worker count outside 1 … {@link #MAX_WORKERS} in one line. */
  public static void checkWorkers(int workers) {
    if (workers < 1 || workers > MAX_WORKERS) {
      throw new UsageException("--workers must be between 1 and " + MAX_WORKERS + ", got "
          + workers);
    }
  }

  /**
   * Validates every option and builds the run specification; the data are validated in full
   * here, once, by their input format, and the model is built once with them so that a bad
   * setting is refused before any run directory exists.
   *
   * @throws UsageException (or another {@link dev.tapetrain.spi.UserError}) for a bad option
   *     value or bad data
   */
  public RunSpec toRunSpec(int workers) {
    checkWorkers(workers);
    if (chunkSize != null && chunkSize < 1) {
      throw new UsageException("--chunk-size must be at least 1, got " + chunkSize);
    }
    timeouts.check();
    if (!model.matches("[a-z0-9][a-z0-9-]*")) {
      throw new UsageException("--model: '" + model + "' is not a model name (lower-case "
          + "letters, digits and dashes)");
    }
    ChosenPlugins plugins = ChosenPlugins.choose(mixee, pluginOptions, model, optimizer, format,
        data, set);
    ModelFactory modelFactory = plugins.model();
    OptimizerFactory optimizerFactory = plugins.optimizer();
    InputFormat input = plugins.input();
    List<Path> files = plugins.files();
    Settings modelSettings = plugins.modelSettings();
    Settings optimizerSettings = plugins.optimizerSettings();
    Settings formatSettings = plugins.formatSettings();

    Targets targets = modelFactory.targets();
    targets.check(model, classes);
    Integer known = targets.classes(model, classes, null);
    boolean labels = targets.labels(classes);
    InputFormat.Scanned scanned = input.scan(new InputFormat.Request(files.isEmpty() ? null
        : files.get(0), formatSettings, seed, labels ? known : Integer.valueOf(0),
        classWeightOptions.counting(labels ? y -> labelProblem(y, known) : y -> null), files));
    scanned.notes().forEach(notes);
    int resolvedClasses = targets.classes(model, classes, scanned.maxTarget());
    DatasetSpec.Source source = scanned.source();
    DatasetSpec.Source validation = epochOptions.validationData == null ? null
        : ValidationDataScan.scan(epochOptions.validationData, format, input, files,
            formatSettings,
            seed, labels, resolvedClasses, source, notes);
    long updates = epochOptions.plannedSteps(source.examples(), steps, this::given);
    // The training samples alone decide the default: validation data never move their chunks.
    // A held-out split is chunked apart from the training samples, with the size all give.
    int chunk = chunkSize != null ? chunkSize : DatasetSpec.defaultChunkSize(source.examples());
    long heldOut = epochOptions.heldOut(source.examples());
    DatasetSpec dataset = wrap(() -> new DatasetSpec(source, chunk, validation, heldOut));
    long training = source.examples() - heldOut;
    long chunks = (training + chunk - 1) / chunk + (heldOut + chunk - 1) / chunk
        + (validation == null ? 0 : (validation.examples() + chunk - 1) / chunk);
    if (chunks > MAX_CHUNKS) {
      throw new UsageException("--chunk-size " + chunk + " makes " + chunks + " chunks; at most "
          + MAX_CHUNKS + " fit in one message (raise --chunk-size)");
    }
    String dataTooLarge = dataSizeLimit.apply(
        dev.tapetrain.protocol.ProtoCodec.toProto(dataset).getSerializedSize());
    if (dataTooLarge != null) {
      throw new UsageException("--data: " + dataTooLarge);
    }
    // Built once here, so a setting the model refuses (or a model that cannot be built) is one
    // line before the run starts; the workers build the same model from the same spec.
    long values = 0;
    dev.tapetrain.models.Model built = Models.create(modelFactory, new ModelOptions(
        source.features(), resolvedClasses, seed, modelSettings));
    for (dev.tapetrain.models.Parameter p : built.parameters()) {
      values += p.initial().length;
    }
    String tooLarge = modelSizeLimit.apply(values);
    if (tooLarge != null) {
      throw new UsageException("--model " + model + ": " + tooLarge);
    }
    dev.tapetrain.coordinator.optim.Optimizer made = optimizerFactory.create(
        learningRate > 0 ? learningRate : 1, optimizerSettings);
    LearningRateSchedule schedule = scheduleOptions.schedule(this::given);
    // A step schedule's rates are its --lr-values; the run's learning rate is its first.
    double lr = schedule.kind().equals("step") ? schedule.values().get(0) : learningRate;
    EarlyStop earlyStop = epochOptions.earlyStop(built.metrics(), this::given);
    StepPolicy policy = epochOptions.policy(batchFraction, seed, l2, tolerance, earlyStop);
    List<Double> classWeights = classWeightOptions.weights(model, resolvedClasses, dataset,
        policy.trainingSamples(dataset));
    ModelSpec modelSpec = wrap(() -> new ModelSpec(model, resolvedClasses, seed,
        modelSettings.texts(), classWeights));
    if ((!schedule.constant() || earlyStop.reduces()) && !Optimizers.followsSchedules(made)) {
      throw new UsageException("--optimizer " + optimizer + " cannot follow a learning-rate "
          + "schedule or --reduce-lr-factor (it does not take a rate per update)");
    }
    return wrap(() -> new RunSpec(workers, updates, lr,
        new OptimizerSpec(optimizer, optimizerSettings.texts()), dataset, policy, logEvery,
        timeouts.step(), timeouts.waitForWorkers(), checkpointEvery, timeouts.rejoin(),
        modelSpec, schedule));
  }

  /**
   * Where the data's notes go (a pandas index column left out of {@code --features '*'}, files
   * without rows): each line as {@code command: note: …} on {@code err}, as the command's other
   * lines (they were logger lines with a time stamp and a class name). By default the log.
   */
  public void notesTo(String command, java.io.PrintStream err) {
    notes = n -> err.println(command + ": note: " + n);
  }

  private java.util.function.Consumer<String> notes =
      org.slf4j.LoggerFactory.getLogger(TrainOptions.class)::warn;

  /**
   * Refuses, before any run directory exists, a model whose parameters {@code limit} says this
   * process cannot carry (across machines: one message's frame); {@code limit} returns why, or
   * null.
   */
  public void limitModelSize(java.util.function.LongFunction<String> limit) {
    this.modelSizeLimit = limit;
  }

  /**
   * Refuses, before any run directory exists, data whose description (files and manifest)
   * {@code limit} says one message cannot carry; {@code limit} takes its bytes and returns why,
   * or null.
   */
  public void limitDataSize(java.util.function.LongFunction<String> limit) {
    this.dataSizeLimit = limit;
  }

  /** Null if {@code y} is a class label (below {@code k} if known), else what is wrong. */
  static String labelProblem(double y, Integer k) {
    if (y != Math.rint(y) || y < 0 || (k != null && y >= k)) {
      return "label " + y + " is not a class 0" + (k == null ? ", 1, 2 …"
          : k == 2 ? " or 1" : " … " + (k - 1));
    }
    return null;
  }

  static <T> T wrap(java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
