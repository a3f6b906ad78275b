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
    checkTwice(columns, features, target, path, lineNo);
    int[] idx = new int[features.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = column(columns, features.get(i), path);
    }
    return new CsvHeader(List.copyOf(columns), idx, column(columns, target, path));
  }

  /**
   * Refuses a column name that appears twice and is selected ({@code features} or
   * {@code target}): which of the two was meant cannot be told. Unused names may repeat: a
   * spreadsheet's export ends its header with empty names ({@code x,y,,}), which pandas reads
   * as {@code Unnamed: 2}, {@code Unnamed: 3} (they were refused, 2026-12-07).
   */
  static void checkTwice(List<String> columns, List<String> features, String target, Path path,
      long lineNo) {
    for (int i = 0; i < columns.size(); i++) {
      String name = columns.get(i);
      if (columns.indexOf(name) != i && (features.contains(name) || name.equals(target))) {
        throw new DataException(path + ":" + lineNo + ": column '" + name
            + "' appears twice in the header");
      }
    }
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
      throw new DataException(path + ":1: no column '" + name + "' in header " + columns
          + separatorHint(columns));
    }
    return i;
  }

  /**
   * A header read as one column that holds a ';', a tab or a '|' is most likely separated by
   * it (a European spreadsheet's CSV, a TSV): say so, as only commas separate here.
   */
  private static String separatorHint(List<String> columns) {
    if (columns.size() != 1) {
      return "";
    }
    String only = columns.get(0);
    for (String sep : new String[] {";", "\t", "|"}) {
      if (only.contains(sep)) {
        return " (one column: are the columns separated by " + (sep.equals("\t") ? "tabs"
            : "'" + sep + "'") + "? only commas separate columns here)";
      }
    }
    return "";
  }
}
