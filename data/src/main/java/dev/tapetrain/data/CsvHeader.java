package dev.tapetrain.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A CSV file's header row, as {@link CsvFile} reads it: its columns (each once), and where the
 * selected feature and target columns are.
 *
 * @param columns  the column names
 * @param features the selected features' column indices, in the order asked
 * @param target   the target's column index
 */
record CsvHeader(List<String> columns, int[] features, int target) {

  /**
   * Parses the header line {@code text} (its byte-order mark already removed).
   *
   * @throws DataException naming file and line: a NUL byte, a column twice, a missing column
   */
  static CsvHeader parse(String text, Path path, long lineNo, List<String> features,
      String target) {
    checkText(text, path, lineNo);
    List<String> columns = CsvFile.split(text, path, lineNo);
    for (int i = 0; i < columns.size(); i++) {
      if (columns.indexOf(columns.get(i)) != i) {
        throw new DataException(path + ":" + lineNo + ": column '" + columns.get(i)
            + "' appears twice in the header");
      }
    }
    int[] idx = new int[features.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = column(columns, features.get(i), path);
    }
    return new CsvHeader(List.copyOf(columns), idx, column(columns, target, path));
  }

  /** A NUL byte is never text: refuse it by line, wherever it is (also in unused columns). */
  static void checkText(String line, Path path, long lineNo) {
    int nul = line.indexOf('\0');
    if (nul >= 0) {
      throw new DataException(path + ":" + lineNo + ": a NUL byte at character " + (nul + 1)
          + " (binary data, or not a CSV file)");
    }
  }

  /** The index of column {@code name}, refused naming the file if it is missing. */
  static int column(List<String> columns, String name, Path path) {
    int i = columns.indexOf(name);
    if (i < 0) {
      throw new DataException(path + ":1: no column '" + name + "' in header " + columns);
    }
    return i;
  }
}
