package dev.tapetrain.data;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import java.nio.file.Path;

/**
 * One CSV line cut into cells without a {@code String} per cell: each cell is a range of the
 * line (trimmed, inside its quotes), and a selected cell's number is checked against the
 * accepted grammar and parsed in place by fastdoubleparser, which gives exactly
 * {@link Double#parseDouble}'s double (see {@code CsvNumbersTest}). The rules and the messages
 * are {@link CsvFile#split}'s; a cell is made a {@code String} only for a message or when its
 * quotes hold an escaped quote. Reused from line to line: not thread-safe.
 */
final class CsvLine {

  private String line;
  private int count;
  private int[] start = new int[16];
  private int[] end = new int[16];
  private boolean[] escaped = new boolean[16];

  /** The number of cells of the last line split. */
  int count() {
    return count;
  }

  /**
   * Cuts {@code text} into cells.
   *
   * @throws DataException naming file and line for an unterminated quote or text after one
   */
  void split(String text, Path path, long lineNo) {
    line = text;
    count = 0;
    int n = text.length();
    int i = 0;
    while (true) {
      while (i < n && text.charAt(i) == ' ') {
        i++;
      }
      int a;
      int b;
      boolean esc = false;
      if (i < n && text.charAt(i) == '"') {
        a = ++i;
        while (true) {
          if (i >= n) {
            throw new DataException(path + ":" + lineNo + ": " + CsvFile.UNTERMINATED);
          }
          char c = text.charAt(i++);
          if (c == '"') {
            if (i < n && text.charAt(i) == '"') {
              esc = true;
              i++;
            } else {
              break;
            }
          }
        }
        b = i - 1;
        while (i < n && text.charAt(i) != ',') {
          if (!Character.isWhitespace(text.charAt(i))) {
            throw new DataException(path + ":" + lineNo + ": text after a closing quote");
          }
          i++;
        }
      } else {
        a = i;
        while (i < n && text.charAt(i) != ',') {
          i++;
        }
        b = i;
      }
      // String.trim's rule: characters up to U+0020 at either end
      while (a < b && text.charAt(a) <= ' ') {
        a++;
      }
      while (b > a && text.charAt(b - 1) <= ' ') {
        b--;
      }
      add(a, b, esc);
      if (i >= n) {
        return;
      }
      i++; // the comma
    }
  }

  private void add(int a, int b, boolean esc) {
    if (count == start.length) {
      start = java.util.Arrays.copyOf(start, count * 2);
      end = java.util.Arrays.copyOf(end, count * 2);
      escaped = java.util.Arrays.copyOf(escaped, count * 2);
    }
    start[count] = a;
    end[count] = b;
    escaped[count] = esc;
    count++;
  }

  /** Cell {@code i} as text (its escaped quotes undone): for messages and the rare case. */
  String cell(int i) {
    String s = line.substring(start[i], end[i]);
    return escaped[i] ? s.replace("\"\"", "\"") : s;
  }

  /**
   * Cell {@code i} as a finite number.
   *
   * @throws DataException naming file, line and column for an empty cell, a cell that is not a
   *     decimal number, or one that overflows a double
   */
  double number(int i, String column, Path path, long lineNo) {
    int a = start[i];
    int b = end[i];
    if (a == b) {
      throw new DataException(path + ":" + lineNo + ": column '" + column + "' is empty");
    }
    if (escaped[i] || !isDecimal(line, a, b)) {
      throw new DataException(path + ":" + lineNo + ": column '" + column + "': '" + cell(i)
          + "' is not a number");
    }
    double v = JavaDoubleParser.parseDouble(line, a, b - a);
    if (!Double.isFinite(v)) {
      throw new DataException(path + ":" + lineNo + ": column '" + column + "': '" + cell(i)
          + "' overflows a double");
    }
    return v;
  }

  /**
   * Whether {@code s[a, b)} is {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?}: a decimal number
   * as the CSV reader has always accepted (no NaN, Infinity, hex, or Java's d/f suffixes).
   */
  static boolean isDecimal(CharSequence s, int a, int b) {
    int i = a;
    if (i < b && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int intDigits = 0;
    while (i < b && isDigit(s.charAt(i))) {
      i++;
      intDigits++;
    }
    int fracDigits = 0;
    if (i < b && s.charAt(i) == '.') {
      i++;
      while (i < b && isDigit(s.charAt(i))) {
        i++;
        fracDigits++;
      }
    }
    if (intDigits == 0 && fracDigits == 0) {
      return false;
    }
    if (i < b && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < b && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int expDigits = 0;
      while (i < b && isDigit(s.charAt(i))) {
        i++;
        expDigits++;
      }
      if (expDigits == 0) {
        return false;
      }
    }
    return i == b;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
