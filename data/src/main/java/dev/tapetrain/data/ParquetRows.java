package dev.tapetrain.data;

import dev.tapetrain.data.parquet.ParquetColumns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleFunction;

/**
 * A Parquet file's rows streamed for scoring, as {@link CsvFile#stream} streams a CSV file's:
 * the feature columns must be there, the target may be missing (then every target is NaN). One
 * row group is in memory at a time. Rows carry no cells: copying input columns to the output is
 * CSV's only.
 */
public final class ParquetRows {

  private ParquetRows() {}

  /**
   * Hands every row to {@code rows} in file order.
   *
   * @param header receives the file's column names before the first row
   * @param rows   receives each row; its {@code lineNo} is the row's 0-based index in the file,
   *               its cells are empty
   * @return the SHA-256 (hex) of the file
   * @throws DataException naming file, row group and row of a problem
   */
  public static String stream(Path path, List<String> features, String target,
      Consumer<List<String>> header, CsvFile.CellConsumer rows,
      DoubleFunction<String> targetCheck) {
    try (ParquetColumns p = ParquetColumns.open(path)) {
      List<String> names = p.columns();
      boolean hasTarget = names.contains(target);
      List<String> columns = new ArrayList<>(features);
      if (hasTarget) {
        columns.add(target);
      }
      p.checkColumns(columns);
      header.accept(List.copyOf(names));
      double[] x = new double[features.size()];
      for (ParquetColumns.RowGroup g : p.rowGroups()) {
        int n = Math.toIntExact(g.rows());
        double[][] values = new double[columns.size()][n];
        p.read(columns, g.firstRow(), g.firstRow() + n, values, 0);
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
          rows.accept(g.firstRow() + i, g.firstRow() + i, List.of(), x, y);
        }
      }
    }
    return CsvFile.sha256(path);
  }
}
