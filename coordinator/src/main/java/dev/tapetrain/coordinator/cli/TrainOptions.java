package dev.tapetrain.coordinator.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.optim.Optimizers;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.RunSpec;
import dev.tapetrain.protocol.data.CsvFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The training options of DESIGN's command contract, shared by {@code local-runner} and
 * {@code coordinator} (a picocli mixin). Defaults are the TensorFlow tutorial's.
 */
public final class TrainOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--steps", defaultValue = "200", paramLabel = "N",
      description = "Training steps (default: ${DEFAULT-VALUE}).")
  long steps;

  @Option(names = "--learning-rate", defaultValue = "0.01", paramLabel = "LR",
      description = "Step size, > 0 (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--init-w", defaultValue = "5", paramLabel = "W",
      description = "Initial W; comma-separated for several features (default: ${DEFAULT-VALUE}).")
  String initW;

  @Option(names = "--init-b", defaultValue = "10", paramLabel = "B",
      description = "Initial B (default: ${DEFAULT-VALUE}).")
  double initB;

  @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "NAME",
      description = "Optimizer: sgd (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--examples", defaultValue = "1000", paramLabel = "N",
      description = "Synthetic data: number of samples (default: ${DEFAULT-VALUE}).")
  long examples;

  @Option(names = "--true-w", defaultValue = "3", paramLabel = "W",
      description = "Synthetic data: true W (default: ${DEFAULT-VALUE}).")
  String trueW;

  @Option(names = "--true-b", defaultValue = "2", paramLabel = "B",
      description = "Synthetic data: true B (default: ${DEFAULT-VALUE}).")
  double trueB;

  @Option(names = "--noise", defaultValue = "1.0", paramLabel = "SIGMA",
      description = "Synthetic data: standard deviation of the noise (default: ${DEFAULT-VALUE}).")
  double noise;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
      description = "Synthetic data: random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data", paramLabel = "FILE.csv",
      description = "Train on a CSV file with a header row instead of synthetic data.")
  Path data;

  @Option(names = "--features", defaultValue = "x", paramLabel = "COLS",
      description = "CSV: feature column (default: ${DEFAULT-VALUE}).")
  String features;

  @Option(names = "--target", defaultValue = "y", paramLabel = "COL",
      description = "CSV: target column (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--chunk-size", paramLabel = "N",
      description = "Samples per chunk, the unit of work and of determinism "
          + "(default: smallest power of two >= 64 giving at most 1024 chunks).")
  Integer chunkSize;

  @Option(names = "--log-every", defaultValue = "1", paramLabel = "K",
      description = "Print and log every K steps (default: ${DEFAULT-VALUE}).")
  int logEvery;

  @Option(names = "--step-timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "Seconds to wait for a step's answers before a silent worker's chunks go "
          + "to the others (default: ${DEFAULT-VALUE}).")
  double stepTimeoutSeconds;

  @Option(names = "--wait-timeout", defaultValue = "120", paramLabel = "SECONDS",
      description = "Seconds to wait for --workers workers to join before giving up "
          + "(default: ${DEFAULT-VALUE}).")
  double waitTimeoutSeconds;

  @Option(names = "--run-dir", paramLabel = "DIR",
      description = "Run directory to create (default: runs/<timestamp>); never overwritten.")
  Path runDir;

  /** The run directory asked for, or null for the default. */
  public Path runDir() {
    return runDir;
  }

  /**
   * Validates every option and builds the run specification; a CSV file is validated in full
   * here, once.
   *
   * @throws UsageException for a bad option value
   * @throws dev.tapetrain.protocol.data.DataException for bad data
   */
  public RunSpec toRunSpec(int workers) {
    if (workers < 1) {
      throw new UsageException("--workers must be at least 1, got " + workers);
    }
    if (!Optimizers.NAMES.contains(optimizer)) {
      throw new UsageException("--optimizer: unknown optimizer '" + optimizer + "'; choose one of "
          + Optimizers.NAMES);
    }
    if (chunkSize != null && chunkSize < 1) {
      throw new UsageException("--chunk-size must be at least 1, got " + chunkSize);
    }
    if (!(stepTimeoutSeconds > 0) || stepTimeoutSeconds > 86_400) {
      throw new UsageException("--step-timeout must be between 0 and 86400 seconds, got "
          + stepTimeoutSeconds);
    }
    if (!(waitTimeoutSeconds > 0) || waitTimeoutSeconds > 86_400) {
      throw new UsageException("--wait-timeout must be between 0 and 86400 seconds, got "
          + waitTimeoutSeconds);
    }
    DatasetSpec.Source source;
    if (data != null) {
      for (String synthetic : List.of("--examples", "--true-w", "--true-b", "--noise", "--seed")) {
        if (mixee != null && mixee.commandLine() != null
            && mixee.commandLine().getParseResult().hasMatchedOption(synthetic)) {
          throw new UsageException(synthetic + " describes synthetic data and cannot be used "
              + "with --data");
        }
      }
      if (!Files.isRegularFile(data)) {
        throw new UsageException("--data " + data + ": no such file");
      }
      List<String> featureColumns = names("--features", features);
      CsvFile.Scan scan = CsvFile.scan(data, featureColumns, target);
      source = new DatasetSpec.Csv(data.toAbsolutePath().normalize().toString(), featureColumns,
          target, scan.rows(), scan.sha256());
    } else {
      if (examples < 1) {
        throw new UsageException("--examples must be at least 1, got " + examples);
      }
      source = wrap(() -> new DatasetSpec.Synthetic(examples, numbers("--true-w", trueW), trueB,
          noise, seed));
    }
    int chunk = chunkSize != null ? chunkSize : DatasetSpec.defaultChunkSize(source.examples());
    DatasetSpec dataset = new DatasetSpec(source, chunk);
    if ((source.examples() + chunk - 1) / chunk > Integer.MAX_VALUE) {
      throw new UsageException("--chunk-size " + chunk + " makes too many chunks");
    }
    return wrap(() -> new RunSpec(workers, steps, learningRate, numbers("--init-w", initW), initB,
        optimizer, dataset, logEvery, seconds(stepTimeoutSeconds), seconds(waitTimeoutSeconds)));
  }

  /** Every option's effective value, for config.json. */
  public ObjectNode toJson(RunSpec spec) {
    ObjectNode o = Json.object();
    o.put("workers", spec.workers());
    o.put("steps", spec.steps());
    o.put("learning_rate", spec.learningRate());
    ArrayNode w = o.putArray("init_w");
    spec.initW().forEach(w::add);
    o.put("init_b", spec.initB());
    o.put("optimizer", spec.optimizer());
    o.put("chunk_size", spec.dataset().chunkSize());
    o.put("log_every", spec.logEvery());
    o.put("step_timeout_seconds", stepTimeoutSeconds);
    o.put("wait_timeout_seconds", waitTimeoutSeconds);
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
