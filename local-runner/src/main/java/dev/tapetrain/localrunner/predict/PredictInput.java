package dev.tapetrain.localrunner.predict;

import dev.tapetrain.data.CsvFile;
import dev.tapetrain.data.DataException;
import dev.tapetrain.data.DataPaths;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.data.ParquetRows;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.UserError;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleFunction;

/**
 * The rows {@code predict --data} names, read by training's readers: one file, several, a
 * directory or a quoted glob, resolved and ordered as training resolves them
 * ({@link DataPaths}), of one format (CSV or Parquet, by extension as training chooses it) and
 * one schema (every file has the columns of the first; Parquet: the same schema).
 */
final class PredictInput {

  /** Receives the input: its columns once, then every row in order. */
  interface Rows {
    /** The first file's columns (all of them; each later file has the same). */
    void columns(KeptColumns columns);

    /**
     * One row.
     *
     * @param kept its values of every column, or null unless {@code keep} was asked
     * @param x    the features, in the model's order; reused between calls
     * @param y    the target, or NaN when the input has no target column
     */
    void row(KeptColumns.Row kept, double[] x, double y);
  }

  /** Rows read from files by every call in this JVM: a test's proof of where rows came from. */
  static final LongAdder ROWS_READ = new LongAdder();

  private final List<Path> files;
  private final boolean parquet;
  /** The first file's columns as text, once read: every later file must have the same. */
  private String firstSchema;

  private PredictInput(List<Path> files, boolean parquet) {
    this.files = files;
    this.parquet = parquet;
  }

  /**
   * The files of {@code args} ({@code --data}'s values).
   *
   * @throws UserError for a missing file, a glob that matches nothing, files of two formats
   *     or of a format other than CSV and Parquet
   */
  static PredictInput resolve(List<String> args) {
    Plugins<InputFormat> formats = InputFormats.plugins(Set.of());
    List<Path> files = DataPaths.resolve(args, f -> InputFormats.claimed(formats, f));
    String format = InputFormats.chooseFor(formats, null, files).name();
    if (!format.equals(DatasetSpec.CSV) && !format.equals("parquet")) {
      throw new UserError("--data: predict reads CSV and Parquet files; " + files.get(0)
          + " is " + format);
    }
    return new PredictInput(files, format.equals("parquet"));
  }

  /** The files, in order. */
  List<Path> files() {
    return files;
  }

  /**
   * Streams every file's rows to {@code rows}.
   *
   * @param keep whether each row comes with its values of every column
   * @param targetGiven whether {@code target} was asked for ({@code --target}): a file without
   *     it is refused, where the training data's target may be absent (no evaluation then)
   * @throws DataException naming the file (and line or row) of a problem, a file whose
   *     columns differ from the first's, or one without a target asked for
   */
  void stream(List<String> features, String target, boolean keep, boolean targetGiven,
      DoubleFunction<String> targetCheck, Rows rows) {
    Set<String> numeric = new HashSet<>(features);
    numeric.add(target);
    firstSchema = null;
    for (Path f : files) {
      if (parquet) {
        ParquetRows.stream(f, features, target,
            schema -> {
              if (targetGiven && !schema.containsField(target)) {
                throw noTarget(f, target);
              }
              if (sameAsFirst(schema.toString().replaceAll("\\s+", " ").strip(), f)) {
                rows.columns(new KeptColumns(schema.getFields()));
              }
            },
            keep, (row, record, x, y) -> {
              ROWS_READ.increment();
              rows.row(record == null ? null : KeptColumns.parquetRow(record), x, y);
            }, targetCheck);
      } else {
        KeptColumns[] columns = new KeptColumns[1];
        CsvFile.stream(f, features, target,
            header -> {
              if (targetGiven && !header.contains(target)) {
                throw noTarget(f, target);
              }
              columns[0] = KeptColumns.ofCsv(header, numeric);
              if (sameAsFirst(String.join(",", header), f)) {
                rows.columns(columns[0]);
              }
            },
            (row, lineNo, cells, x, y) -> {
              ROWS_READ.increment();
              rows.row(keep ? columns[0].csvRow(cells) : null, x, y);
            },
            targetCheck);
      }
    }
  }

  private static DataException noTarget(Path f, String target) {
    return new DataException(f + ": has no column '" + target + "' (--target); without --target "
        + "the training data's target is evaluated when a file has it");
  }

  /** Whether {@code schema} is the first file's; refuses a later file with other columns. */
  private boolean sameAsFirst(String schema, Path f) {
    if (firstSchema == null) {
      firstSchema = schema;
      return true;
    }
    if (!firstSchema.equals(schema)) {
      throw new DataException(f + ": its columns differ from those of " + files.get(0) + " ("
          + schema + " against " + firstSchema + "); the files of one input have the same columns");
    }
    return false;
  }
}
