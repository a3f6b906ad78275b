package dev.tapetrain.data;

import dev.tapetrain.data.parquet.ParquetColumns;
import dev.tapetrain.data.parquet.ParquetRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleFunction;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.MessageType;

/**
 * A Parquet file's rows streamed for scoring, as {@link CsvFile#stream} streams a CSV file's:
 * the feature columns must be there, the target may be missing (then every target is NaN). One
 * row group is in memory at a time. On request each row also comes as a record of every column
 * in its Parquet type (for copying input columns to the output).
 */
public final class ParquetRows {

  /** Receives each row of {@link #stream}. */
  @FunctionalInterface
  public interface RowConsumer {
    /**
     * Called once per row, in file order.
     *
     * @param row      0-based index of the row in the file
     * @param record   every column of the row in its Parquet type, or null if not asked for
     * @param features the selected feature values, in the order asked; reused between calls
     * @param target   the target value, or NaN when the file has no target column
     */
    void accept(long row, Group record, double[] features, double target);
  }

  private ParquetRows() {}

  /**
   * Hands every row to {@code rows} in file order.
   *
   * @param schema  receives the file's schema before the first row
   * @param records whether each row also comes as a record of all its columns (then every
   *                column must be a flat one: see {@link ParquetRecords})
   * @return the SHA-256 (hex) of the file
   * @throws DataException naming file, row group and row of a problem
   */
  public static String stream(Path path, List<String> features, String target,
      Consumer<MessageType> schema, boolean records, RowConsumer rows,
      DoubleFunction<String> targetCheck) {
    try (ParquetColumns p = ParquetColumns.open(path);
        ParquetRecords r = records ? ParquetRecords.open(path) : null) {
      List<String> names = p.columns();
      boolean hasTarget = names.contains(target);
      List<String> columns = new ArrayList<>(features);
      if (hasTarget) {
        columns.add(target);
      }
      schema.accept(p.schema());
      p.checkColumns(columns);
      double[] x = new double[features.size()];
      for (ParquetColumns.RowGroup g : p.rowGroups()) {
        int n = Math.toIntExact(g.rows());
        double[][] values = new double[columns.size()][n];
        p.read(columns, g.firstRow(), g.firstRow() + n, values, 0);
        if (r != null) {
          r.nextRowGroup();
        }
        for (int i = 0; i < n; i++) {
          for (int f = 0; f < x.length; f++) {
            x[f] = values[f][i];
          }
          double y = hasTarget ? values[x.length][i] : Double.NaN;
          String problem = hasTarget ? targetCheck.apply(y) : null;
          if (problem != null) {
            throw new DataException(path + ": row " + (g.firstRow() + i) + " (row group "
                + g.index() + ", row " + i + " in it): column '" + target + "': " + problem);
          }
          rows.accept(g.firstRow() + i, r != null ? r.next() : null, x, y);
        }
      }
    }
    return CsvFile.sha256(path);
  }
}
