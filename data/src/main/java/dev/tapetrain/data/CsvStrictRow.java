package dev.tapetrain.data;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;

/**
 * The fastest path for the commonest CSV row: only numbers and commas, nothing to trim or
 * unquote. One pass over the bytes finds the cells, parses each selected number as its digits go
 * by (their grammar, eight digits at a time; the value is fastdoubleparser's on the cell's bytes)
 * and finds the line's end; the line is not searched for first, nor
 * cut into cells, nor any cell read twice. Anything else — a space, a tab, a quote, a byte
 * outside printable ASCII, an empty cell, a cell that is not a number or overflows, too few or
 * too many cells, a line not whole in the bytes at hand — and it answers -1 without a judgement:
 * the caller takes the line by the usual way ({@link CsvBytes#next}, then {@link CsvByteRow} or
 * the text path), which accepts it or refuses it with its message. So this path changes speed,
 * never a value or a message. Unselected cells are passed over (printable ASCII but a quote).
 * Reused from line to line, for one header: not thread-safe.
 */
final class CsvStrictRow {

  /** Per column: the feature's index in the values, {@link #TARGET}, or {@link #UNUSED}. */
  private final int[] slot;
  private static final int TARGET = -1;
  private static final int UNUSED = -2;
  private double target;

  /** A parser for the data rows of a file with {@code header}. */
  CsvStrictRow(CsvHeader header) {
    slot = new int[header.columns().size()];
    java.util.Arrays.fill(slot, UNUSED);
    int[] f = header.features();
    for (int i = 0; i < f.length; i++) {
      slot[f[i]] = i;
    }
    slot[header.target()] = TARGET;
  }

  /** The target value of the last line {@link #parse} accepted. */
  double target() {
    return target;
  }

  /**
   * Parses the line that starts at {@code b[from]}, reading no byte at or past {@code limit}:
   * the selected features into {@code x}, the target into {@link #target()}.
   *
   * @return where the line's terminator ({@code \n} or {@code \r}) is, or -1 if the line needs
   *     the usual way ({@code x} may then hold some of its values)
   */
  int parse(byte[] b, int from, int limit, double[] x) {
    int i = from;
    int last = slot.length - 1;
    for (int c = 0; ; c++) {
      int s = slot[c];
      if (s == UNUSED) {
        while (i < limit) {
          byte ch = b[i];
          // Stops at a comma, a quote, and any byte below a space (which takes in every byte
          // past ASCII, signed), so also at the line's end.
          if (ch == ',' || ch == '"' || ch < ' ' || ch == 0x7f) {
            break;
          }
          i++;
        }
      } else {
        int end = number(b, i, limit);
        if (end < 0) {
          return -1;
        }
        if (s == TARGET) {
          target = value;
        } else {
          x[s] = value;
        }
        i = end;
      }
      if (i >= limit) {
        return -1;
      }
      byte t = b[i];
      if (c == last) {
        return t == '\n' || t == '\r' ? i : -1;
      }
      if (t != ',') {
        return -1;
      }
      i++;
    }
  }

  /** The last number {@link #number} parsed. */
  private double value;

  /**
   * Parses the decimal number at {@code b[i]} into {@link #value}: the reader's grammar,
   * {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?} ({@link CsvLine#isDecimal}), finite.
   *
   * @return where the number ends, or -1 if it is not one (or not finite)
   */
  private int number(byte[] b, int i, int limit) {
    int cell = i;
    if (i < limit && (b[i] == '-' || b[i] == '+')) {
      i++;
    }
    int digitsFrom = i;
    i = digits(b, i, limit);
    boolean any = i > digitsFrom;
    if (i < limit && b[i] == '.') {
      int point = ++i;
      i = digits(b, i, limit);
      any |= i > point;
    }
    if (!any) {
      return -1;
    }
    if (i < limit && (b[i] | 0x20) == 'e') {
      i++;
      if (i < limit && (b[i] == '-' || b[i] == '+')) {
        i++;
      }
      int expFrom = i;
      i = digits(b, i, limit);
      if (i == expFrom) {
        return -1;
      }
    }
    // The grammar is checked and the cell's end found; its value is fastdoubleparser's (the
    // field's exact parser: Double.parseDouble's double on every input) on the very bytes.
    double v = JavaDoubleParser.parseDouble(b, cell, i - cell);
    if (Double.isInfinite(v)) {
      return -1;
    }
    value = v;
    return i;
  }

  /** Where the run of ASCII digits from {@code b[i]} ends: eight at a time, then one by one. */
  private static int digits(byte[] b, int i, int limit) {
    while (i + 8 <= limit && eightDigits((long) LONGS.get(b, i)) >= 0) {
      i += 8;
    }
    while (i < limit && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
          java.nio.ByteOrder.LITTLE_ENDIAN);

  /**
   * The eight ASCII digits of {@code chunk} (its first byte lowest) as a number, or -1 if one
   * of its bytes is not a digit: eight digits in three multiplications instead of eight
   * dependent ones (Lemire's SWAR conversion, as simdjson and fastdoubleparser do it).
   */
  static int eightDigits(long chunk) {
    long v = chunk - 0x3030_3030_3030_3030L;
    if ((((chunk + 0x4646_4646_4646_4646L) | v) & 0x8080_8080_8080_8080L) != 0) {
      return -1;
    }
    v = v * 10 + (v >>> 8);
    return (int) (((v & 0x0000_00FF_0000_00FFL) * 0x000F_4240_0000_0064L
        + ((v >>> 16) & 0x0000_00FF_0000_00FFL) * 0x0000_2710_0000_0001L) >>> 32);
  }
}
