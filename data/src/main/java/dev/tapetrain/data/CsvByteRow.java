package dev.tapetrain.data;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;

/**
 * The fast path for a common CSV row that {@link CsvStrictRow} leaves (spaces or tabs around
 * cells, say): plain ASCII, no quotes, every selected cell a decimal number. It cuts and parses the line's bytes in place (no {@code String}, no UTF-8 decoding)
 * and gives exactly what the text path ({@link CsvScan#row}: {@link CsvLine}) gives for such a
 * line; for anything else — a byte outside printable ASCII and tab, a quote, too few or too many
 * cells, a cell that is empty, not a number or overflows, a line that may be blank — it answers
 * false without a judgement, and the caller takes the text path, which accepts the line or
 * refuses it with its message. So the fast path changes speed, never a value or a message.
 * Reused from line to line: not thread-safe.
 */
final class CsvByteRow {

  private int[] start = new int[16];
  private int[] end = new int[16];
  private boolean[] text = new boolean[16];
  private double target;

  /** The target value of the last line {@link #parse} accepted. */
  double target() {
    return target;
  }

  /**
   * Parses bytes {@code [from, to)} (a line without its terminator) as a data row of
   * {@code header}'s file: the selected features into {@code x}, the target into
   * {@link #target()}.
   *
   * @return false if the line needs the text path (nothing is then decided about it)
   */
  boolean parse(byte[] b, int from, int to, CsvHeader header, double[] x) {
    int count = cut(b, from, to);
    if (count != header.columns().size()) {
      return false;
    }
    int[] f = header.features();
    for (int i = 0; i < f.length; i++) {
      double v = number(b, f[i]);
      if (Double.isNaN(v)) {
        return false;
      }
      x[i] = v;
    }
    target = number(b, header.target());
    return !Double.isNaN(target);
  }

  /** A byte that sends the line to the text path (quote, control byte, non-ASCII). */
  private static final byte OTHER_LINE = 0;
  /** A comma. */
  private static final byte COMMA = 1;
  /** Space or tab: trimmed at a cell's ends. */
  private static final byte SPACE = 2;
  /** A byte of Java's decimal grammar: digits, {@code . + - e E}. */
  private static final byte NUMERIC = 4;
  /** Any other printable ASCII byte: fine in a cell that is not read as a number. */
  private static final byte TEXT = 8;
  private static final byte[] CLASS = new byte[256];

  static {
    CLASS['\t'] = SPACE;
    CLASS[' '] = SPACE;
    for (int c = '!'; c < 0x7f; c++) {
      CLASS[c] = TEXT;
    }
    for (char c : "0123456789.+-eE".toCharArray()) {
      CLASS[c] = NUMERIC;
    }
    CLASS[','] = COMMA;
    CLASS['"'] = OTHER_LINE;
  }

  /**
   * Cuts the line into trimmed cells at commas, noting per cell whether it holds a byte outside
   * Java's decimal grammar ({@link #TEXT}).
   *
   * @return the number of cells, or -1 if the line needs the text path
   */
  private int cut(byte[] b, int from, int to) {
    int count = 0;
    int a = from;
    int seen = 0;
    int cell = 0;
    for (int i = from; i < to; i++) {
      int c = CLASS[b[i] & 0xff];
      if (c == COMMA) {
        count = add(count, b, a, i, cell);
        seen |= cell;
        cell = 0;
        a = i + 1;
      } else if (c == OTHER_LINE) {
        return -1;
      } else {
        cell |= c;
      }
    }
    seen |= cell;
    if ((seen & (NUMERIC | TEXT)) == 0) {
      return -1; // blank, or only commas and spaces: the text path decides
    }
    return add(count, b, a, to, cell);
  }

  private int add(int count, byte[] b, int a, int z, int cell) {
    // String.trim's rule: characters up to U+0020 at either end.
    while (a < z && b[a] <= ' ') {
      a++;
    }
    while (z > a && b[z - 1] <= ' ') {
      z--;
    }
    if (count == start.length) {
      start = java.util.Arrays.copyOf(start, count * 2);
      end = java.util.Arrays.copyOf(end, count * 2);
      text = java.util.Arrays.copyOf(text, count * 2);
    }
    start[count] = a;
    end[count] = z;
    text[count] = (cell & TEXT) != 0;
    return count + 1;
  }

  /**
   * Cell {@code i} as a finite number, or NaN if the text path must judge it. A cell of digits
   * and {@code . + - e E} only is in the reader's grammar exactly when it is in Java's decimal
   * grammar, which fastdoubleparser checks (NaN, infinities, hex and the d/f suffixes need other
   * letters); {@code CsvByteRowTest} holds it to the text path's grammar check.
   */
  private double number(byte[] b, int i) {
    int a = start[i];
    int z = end[i];
    if (a == z || text[i]) {
      return Double.NaN;
    }
    double v;
    try {
      v = JavaDoubleParser.parseDouble(b, a, z - a);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
    return Double.isInfinite(v) ? Double.NaN : v;
  }

}
