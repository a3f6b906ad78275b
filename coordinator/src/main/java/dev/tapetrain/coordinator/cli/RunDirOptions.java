package dev.tapetrain.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.data.FileSet;
import dev.tapetrain.protocol.DatasetSpec;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The options of a run's directory ({@code --run-dir}, {@code --resume},
 * {@code --resume-if-exists}), a picocli mixin of {@link TrainOptions}: their values and the
 * rules of a resumed run (which options may change, that its data did not).
 */
final class RunDirOptions {

  @Option(names = "--run-dir", paramLabel = "DIR",
      description = "Run directory to create (default: runs/<timestamp>); never overwritten.")
  Path runDir;

  @Option(names = "--resume", paramLabel = "RUN_DIR",
      description = "Continue the run in RUN_DIR from its last checkpoint; only --steps (a run "
          + "of epochs: --epochs) may be raised (and --workers and the timeouts changed); "
          + "options given again with the run's values are taken, --features '*' when it "
          + "picks the run's columns.")
  Path resume;

  @Option(names = "--resume-if-exists",
      description = "With --run-dir DIR: if DIR holds this same run (its checkpoint has these "
          + "options and data), continue it; if DIR is absent or empty, start it there; another "
          + "run's directory is still refused. On by itself for a coordinator the operators' "
          + "environment places (a restarted pod continues its run).")
  boolean resumeIfExists;

  /**
   * Options that may differ from the run's own when resuming: they do not change numbers (where
   * and how the run executes: the determinism contract makes threads, workers and the column
   * cache bit-neutral; TLS secures the same messages).
   */
  private static final List<String> RESUMABLE = List.of("--steps", "--epochs", "--workers",
      "--log-every",
      "--step-timeout", "--wait-timeout", "--rejoin-timeout", "--checkpoint-every", "--resume",
      "--host", "--bind", "--port", "--threads", "--worker-threads", "--cache", "--cache-dir",
      "--tls-keystore", "--tls-truststore", "--tls-allowed-names");

  private boolean placed;

  /** See {@link TrainOptions#resumeIfExists()}. */
  boolean resumeIfExists() {
    if (resumeIfExists && resume != null) {
      throw new UsageException("--resume-if-exists goes with --run-dir, not with --resume "
          + "(which always continues its run)");
    }
    if (resumeIfExists && runDir == null) {
      if (placed) {
        return false; // a default directory is always new: nothing to continue
      }
      throw new UsageException("--resume-if-exists needs --run-dir DIR (a default run "
          + "directory is always new)");
    }
    return resumeIfExists;
  }

  /** See {@link TrainOptions#resumeIfExistsWhenPlaced()}. */
  void resumeIfExistsWhenPlaced() {
    placed = true;
    resumeIfExists = true;
  }

  /**
   * Refuses, for {@code --resume}, {@code --run-dir} and every option of {@code parsed} (null:
   * none known) that changes the run's numbers: one given again with the value config.json
   * ({@code config}; null: unknown) records for it changes nothing and is taken
   * ({@link RecordedValue}) — the Java API's {@code .model(object)} names its model on every
   * fit, a script repeats its {@code --data} and {@code --target}.
   */
  void checkResumable(ParseResult parsed, JsonNode config) {
    if (runDir != null) {
      throw new UsageException("--resume continues in " + resume + "; --run-dir cannot be used "
          + "with it");
    }
    if (parsed != null) {
      for (picocli.CommandLine.Model.OptionSpec o : parsed.matchedOptions()) {
        if (o.longestName().equals("--features") && o.getValue() != null
            && o.getValue().toString().trim().equals("*")) {
          RecordedEvery.check(config); // taken when '*' picks the run's columns, else refused
          continue;
        }
        if (!RESUMABLE.contains(o.longestName()) && !o.usageHelp() && !o.versionHelp()
            && !RecordedValue.same(o, config)) {
          // A run of epochs grows by --epochs (its steps follow from them), others by --steps.
          boolean epochs = config != null && config.path("options").has("epochs");
          throw new UsageException("--resume: " + o.longestName() + " cannot change in a resumed"
              + " run (only " + (epochs ? "--epochs" : "--steps") + " may be raised); start a "
              + "new run instead");
        }
      }
    }
  }

  /** Refuses a resumed run whose data ({@code source}) changed since it started. */
  static void checkDataUnchanged(DatasetSpec.Source source, String now) {
    if (!now.equals(source.digest())) {
      throw new UsageException("--resume: " + FileSet.describe(source) + " changed since the "
          + "run started (SHA-256 " + abbreviate(now) + ", was " + abbreviate(source.digest())
          + ")");
    }
  }

  private static String abbreviate(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) + "…" : digest;
  }
}
