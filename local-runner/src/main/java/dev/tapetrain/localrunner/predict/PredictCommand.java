package dev.tapetrain.localrunner.predict;

import dev.tapetrain.coordinator.run.AtomicFiles;
import dev.tapetrain.localrunner.OutputFile;
import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.worker.CacheOptions;
import dev.tapetrain.data.CsvFile;
import dev.tapetrain.data.ParquetFormat;
import dev.tapetrain.data.cache.CacheSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code local-runner predict RUN_DIR --data new.csv|new.parquet|DIR|'GLOB'... [--out
 * preds.csv|preds.parquet]}: one output row per input row, computed by the run's model code
 * ({@code Model.predict}, the tape's forward pass) with its trained parameters. The input is read
 * by training's readers ({@link PredictInput}); the output is CSV or Parquet by the name's
 * extension ({@link PredictionOutput}). Rows stream through in blocks (a Parquet file's one row
 * group at a time), so memory does not grow with the input. If the input has the target column,
 * also the loss and, for a classifier, the accuracy and the confusion matrix. The run's own
 * training data are read from the column cache when it holds them ({@link CachedRows}), with
 * the same output byte for byte.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tapetrain predict 0.1.0",
    description = {"Score CSV or Parquet files with the model a run trained (its last "
        + "checkpoint).",
        "Writes one row per input row: 'prediction' for a regression ('prediction_0..k-1' "
            + "for one predicting [n, k]); 'label' and 'probability_0..K-1' for a classifier.",
        "If the file has the target column, also prints the loss and, for a classifier, the "
            + "accuracy and the confusion matrix."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:scored", "1:failed", "2:bad option, run directory or data"})
public final class PredictCommand implements Callable<Integer> {

  /** Rows scored together: large enough to amortise the tape's per-op work, small in memory. */
  static final int BLOCK_ROWS = 4096;

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run whose model scores.")
  Path run;

  @Option(names = "--data", required = true, paramLabel = "FILE", arity = "1..*",
      description = "The rows to score, with the model's feature columns: CSV files with a "
          + "header row or Parquet files (.parquet); several files, a directory or a quoted "
          + "glob are read in path order, as training reads them.")
  List<String> data;

  @Option(names = "--out", paramLabel = "FILE", converter = OutputFile.class,
      description = "Write the predictions here: Parquet if the name ends in .parquet, else "
          + "CSV (replaced atomically, only when every row scored); default: CSV on standard "
          + "output, with the evaluation on standard error.")
  Path outFile;

  @Option(names = "--keep-columns",
      description = "Copy every input column into the output, before the predictions (from "
          + "Parquet input in its own type). A CSV header's empty names become 'Unnamed: I' "
          + "(I its position from 0) and repeated ones 'a.1', as pandas' read_csv names them.")
  boolean keepColumns;

  @Option(names = "--features", paramLabel = "COLS",
      description = "Feature columns, in the model's order, comma-separated (quote a name with "
          + "a comma: a,\"b,c\"; default: the training data's).")
  String features;

  @Option(names = "--target", paramLabel = "COL",
      description = "Target column to evaluate against; a file without it is refused "
          + "(default: the training data's, evaluated when a file has it).")
  String target;

  @Option(names = "--params", paramLabel = "best|last",
      description = "Which parameters: best (the best epoch's, kept by --restore-best) or last "
          + "(after the last update); default: the run's final ones (the best after "
          + "--restore-best, else the last).")
  String params;

  // The cache options' names, defaults and meaning of values are train's (CacheOptions); their
  // help says what they do here, where the cache is read.
  @Option(names = CacheOptions.MODE, defaultValue = CacheOptions.DEFAULT_MODE,
      paramLabel = CacheOptions.MODE_LABEL,
      description = "Read the rows from the column cache when --data are the run's training "
          + "data (checked by their SHA-256) and not --keep-columns: auto (if the run's "
          + "entry exists), on (build it first if missing), off (always parse the files) "
          + "(default: ${DEFAULT-VALUE}).")
  String cacheMode;

  @Option(names = CacheOptions.DIR, paramLabel = "DIR",
      description = "The column cache's directory, as given to train (default: "
          + CacheOptions.DEFAULT_DIR + ").")
  Path cacheDir;

  @Option(names = CacheOptions.MAX_SIZE, defaultValue = CacheOptions.DEFAULT_MAX_SIZE,
      paramLabel = "SIZE",
      description = "With --cache on: remove least recently used cache files beyond this "
          + "total (default: ${DEFAULT-VALUE}).")
  String cacheMaxSize;

  private final PrintStream out;
  private final PrintStream err;

  /** A predict command printing to {@code out} and {@code err}. */
  public PredictCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws IOException {
    CacheSettings cache = CacheOptions.settings(cacheMode, cacheDir, cacheMaxSize,
        System.getenv());
    TrainedModel trained = TrainedModel.load(run, params);
    ScoredParams scored = ScoredParams.of(trained, params);
    List<String> columns = features != null ? CsvFile.columnList("--features", features)
        : trained.featureColumns();
    String targetColumn = target != null ? target : trained.targetColumn();
    if (columns.size() != trained.features()) {
      throw new UserError("--features: model '" + trained.name() + "' of " + run + " reads "
          + trained.features() + " feature(s) " + trained.featureColumns() + ", got "
          + columns.size() + " " + columns);
    }
    try {
      CsvFile.checkSelection(columns, targetColumn);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    PredictInput input = PredictInput.resolve(data);
    boolean parquetOut = outFile != null && new ParquetFormat().reads(outFile);
    if (outFile != null) {
      for (Path f : input.files()) {
        AtomicFiles.checkTarget("--out", outFile, f);
      }
    }
    if (trained.unfinished() != null) {
      err.println("predict: note: " + trained.unfinished());
    }
    // Kept columns are the files' cells, which the cache does not hold: those read the files.
    CachedRows cached = keepColumns ? null : CachedRows.find(run, cache, input.files(),
        columns, targetColumn, note -> err.println("predict: " + note));
    Evaluation eval = new Evaluation(trained.classes());
    Path tmp = outFile != null ? AtomicFiles.temporarySibling(outFile) : null;
    Writer writer = null;
    PredictionOutput output;
    if (parquetOut) {
      output = new ParquetPredictions(tmp, outFile.toString(), trained.name(),
          scored.describe());
    } else {
      if (tmp != null) {
        try {
          writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UserError("--out " + outFile + ": cannot write: " + e.getMessage());
        }
      } else {
        writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
      }
      output = new CsvPredictions(writer);
    }
    try {
      ScoringBlocks blocks = new ScoringBlocks(trained, output, eval, keepColumns);
      if (cached != null) {
        cached.stream(y -> trained.model().checkTarget(y), blocks);
      } else {
        input.stream(columns, targetColumn, keepColumns, target != null,
            y -> trained.model().checkTarget(y), blocks);
      }
      blocks.flush();
      output.finish();
      if (tmp != null) {
        if (writer != null) {
          writer.close();
        }
        AtomicFiles.moveInto(tmp, outFile);
        tmp = null;
      }
    } catch (IOException | UncheckedIOException e) {
      Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
      throw new UserError((outFile != null ? "--out " + outFile : "standard output")
          + ": cannot write: " + cause.getMessage());
    } finally {
      if (tmp != null) {
        if (output instanceof ParquetPredictions p) {
          p.abandon();
        }
        if (writer != null) {
          writer.close();
        }
        Files.deleteIfExists(tmp);
      }
    }
    PrintStream report = outFile != null ? out : err;
    report.println("scored " + eval.rows + " row(s) of " + String.join(" ", data) + " with "
        + trained.name() + " from " + run + " (" + scored.describe() + ")"
        + (outFile != null ? " -> " + outFile : ""));
    if (eval.hasTargets) {
      eval.print(report, trained.name(), scored.lossNote());
    }
    return 0;
  }
}
