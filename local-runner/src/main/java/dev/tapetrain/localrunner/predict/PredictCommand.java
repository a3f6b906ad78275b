package dev.tapetrain.localrunner.predict;

import dev.tapetrain.coordinator.run.AtomicFiles;
import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.data.CsvFile;
import dev.tapetrain.data.ParquetFormat;
import dev.tapetrain.data.ParquetRows;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code local-runner predict RUN_DIR --data new.csv [--out preds.csv]}: one output row per input
 * row, computed by the run's model code ({@code Model.predict}, the tape's forward pass) with its
 * trained parameters. Rows stream through in blocks (a Parquet file's one row group at a time), so
 * memory does not grow with the file. If
 * the file has the target column, also the loss and, for a classifier, the accuracy and the
 * confusion matrix.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Score a CSV file with the model a run trained (its last checkpoint).",
        "Writes one row per input row: 'prediction' for a regression; 'label' and "
            + "'probability_0..K-1' for a classifier.",
        "If the file has the target column, also prints the loss and, for a classifier, the "
            + "accuracy and the confusion matrix."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:scored", "1:failed", "2:bad option, run directory or data"})
public final class PredictCommand implements Callable<Integer> {

  /** Rows scored together: large enough to amortise the tape's per-op work, small in memory. */
  static final int BLOCK_ROWS = 4096;

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run whose model scores.")
  Path run;

  @Option(names = "--data", required = true, paramLabel = "FILE",
      description = "The rows to score: a CSV file with a header row, or a Parquet file "
          + "(.parquet), with the model's feature columns.")
  Path data;

  @Option(names = "--out", paramLabel = "FILE.csv",
      description = "Write the predictions here (replaced atomically, only when every row "
          + "scored); default: standard output, with the evaluation on standard error.")
  Path outFile;

  @Option(names = "--keep-columns",
      description = "Copy every input column into the output, before the predictions.")
  boolean keepColumns;

  @Option(names = "--features", paramLabel = "COLS",
      description = "Feature columns, in the model's order, comma-separated (quote a name with "
          + "a comma: a,\"b,c\"; default: the training data's).")
  String features;

  @Option(names = "--target", paramLabel = "COL",
      description = "Target column to evaluate against, when present (default: the training "
          + "data's).")
  String target;

  @Option(names = "--params", paramLabel = "best|last",
      description = "Which parameters: best (the best epoch's, kept by --restore-best) or last "
          + "(after the last update); default: the run's final ones (the best after "
          + "--restore-best, else the last).")
  String params;

  private final PrintStream out;
  private final PrintStream err;

  /** A predict command printing to {@code out} and {@code err}. */
  public PredictCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws IOException {
    TrainedModel trained = TrainedModel.load(run, params);
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
    boolean parquet = new ParquetFormat().reads(data);
    if (parquet && keepColumns) {
      throw new UserError("--keep-columns copies the columns of CSV input only; " + data
          + " is Parquet");
    }
    if (trained.unfinished() != null) {
      err.println("predict: note: " + trained.unfinished());
    }
    Evaluation eval = new Evaluation(trained.classes());
    Path tmp = null;
    Writer writer;
    if (outFile != null) {
      AtomicFiles.checkTarget("--out", outFile, data);
      tmp = AtomicFiles.temporarySibling(outFile);
      try {
        writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UserError("--out " + outFile + ": cannot write: " + e.getMessage());
      }
    } else {
      writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }
    try {
      Block block = new Block(trained, writer, eval, keepColumns);
      if (parquet) {
        ParquetRows.stream(data, columns, targetColumn, block::header, block::add,
            y -> trained.model().checkTarget(y));
      } else {
        CsvFile.stream(data, columns, targetColumn, block::header, block::add,
            y -> trained.model().checkTarget(y));
      }
      block.flush();
      writer.flush();
      if (tmp != null) {
        writer.close();
        AtomicFiles.moveInto(tmp, outFile);
        tmp = null;
      }
    } catch (UncheckedIOException e) {
      throw new UserError((outFile != null ? outFile : "standard output") + ": cannot write: "
          + e.getCause().getMessage());
    } finally {
      if (tmp != null) {
        writer.close();
        Files.deleteIfExists(tmp);
      }
    }
    PrintStream report = outFile != null ? out : err;
    report.println("scored " + eval.rows + " row(s) of " + data + " with " + trained.name()
        + " from " + run + " (step " + trained.step() + ")"
        + (outFile != null ? " -> " + outFile : ""));
    if (eval.hasTargets) {
      eval.print(report, trained.name());
    }
    return 0;
  }

  /** Rows waiting to be scored together, and the output they go to. */
  private static final class Block {
    private final TrainedModel trained;
    private final Writer writer;
    private final Evaluation eval;
    private final boolean keep;
    private final int f;
    private final double[] x;
    private final double[] y;
    private final List<List<String>> cells = new ArrayList<>();
    private int n;

    Block(TrainedModel trained, Writer writer, Evaluation eval, boolean keep) {
      this.trained = trained;
      this.writer = writer;
      this.eval = eval;
      this.keep = keep;
      this.f = trained.features();
      this.x = new double[BLOCK_ROWS * f];
      this.y = new double[BLOCK_ROWS];
    }

    void header(List<String> columns) {
      eval.hasTargets = columns.contains(trained.targetColumn()) || eval.hasTargets;
      StringBuilder h = new StringBuilder();
      if (keep) {
        for (String c : columns) {
          h.append(quote(c)).append(',');
        }
      }
      if (trained.classes() == 0) {
        h.append("prediction");
      } else {
        h.append("label");
        for (int k = 0; k < trained.classes(); k++) {
          h.append(",probability_").append(k);
        }
      }
      write(h.append('\n'));
    }

    void add(long row, long lineNo, List<String> rowCells, double[] features, double target) {
      System.arraycopy(features, 0, x, n * f, f);
      y[n] = target;
      eval.hasTargets &= !Double.isNaN(target);
      if (keep) {
        cells.add(rowCells);
      }
      if (++n == BLOCK_ROWS) {
        flush();
      }
    }

    void flush() {
      if (n == 0) {
        return;
      }
      TrainedModel.Scores s = trained.score(x, n);
      StringBuilder b = new StringBuilder(n * 32);
      int k = s.classes();
      for (int i = 0; i < n; i++) {
        if (keep) {
          for (String c : cells.get(i)) {
            b.append(quote(c)).append(',');
          }
        }
        if (k == 0) {
          b.append(s.values()[i]);
        } else {
          b.append(s.labels()[i]);
          for (int j = 0; j < k; j++) {
            b.append(',').append(s.values()[i * k + j]);
          }
        }
        b.append('\n');
      }
      write(b);
      eval.rows += n;
      if (eval.hasTargets) {
        eval.lossSum += trained.lossSum(x, y, n);
        if (k > 0) {
          for (int i = 0; i < n; i++) {
            eval.confusion[(int) y[i]][s.labels()[i]]++;
          }
        }
      }
      cells.clear();
      n = 0;
    }

    private void write(CharSequence text) {
      try {
        writer.append(text);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A cell as CSV: quoted when it holds a comma, a quote or spaces at its ends. */
  static String quote(String cell) {
    if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.strip().equals(cell)) {
      return cell;
    }
    return '"' + cell.replace("\"", "\"\"") + '"';
  }

  /** Loss and confusion counts over the rows that had a target. */
  static final class Evaluation {
    boolean hasTargets;
    long rows;
    double lossSum;
    final long[][] confusion;

    Evaluation(int classes) {
      confusion = new long[classes][classes];
    }

    void print(PrintStream p, String model) {
      p.println("loss " + lossSum / rows + " (mean over the rows of the loss " + model
          + " trains on)");
      int k = confusion.length;
      if (k == 0) {
        return;
      }
      long correct = 0;
      for (int i = 0; i < k; i++) {
        correct += confusion[i][i];
      }
      p.println("accuracy " + (double) correct / rows + " (" + correct + " of " + rows + ")");
      p.println("confusion matrix (rows: true class, columns: predicted class)");
      int width = Math.max(6, Long.toString(rows).length() + 2);
      StringBuilder h = new StringBuilder(String.format("%" + width + "s", "true\\pred"));
      for (int j = 0; j < k; j++) {
        h.append(String.format("%" + width + "d", j));
      }
      p.println(h);
      for (int i = 0; i < k; i++) {
        StringBuilder r = new StringBuilder(String.format("%" + width + "d", i));
        for (int j = 0; j < k; j++) {
          r.append(String.format("%" + width + "d", confusion[i][j]));
        }
        p.println(r);
      }
    }
  }
}
