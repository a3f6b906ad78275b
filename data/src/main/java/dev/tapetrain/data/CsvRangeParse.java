package dev.tapetrain.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleFunction;
import java.util.zip.CRC32C;

/**
 * The first pass of the CSV scan by ranges ({@link CsvRangeScan}) over one byte range of the
 * file, which need not know at which row of the file it starts: parses and checks every line as
 * the one-thread scan does, notes where every 64th row starts and on which line (so the pieces
 * can be cut and hashed afterwards, once every range's rows are known: {@link
 * CsvLeafHash}), and keeps the values in blocks of its own (no count pass before, no copy
 * after). Only accepts: at the first problem it answers null and the one-thread scan names it.
 */
final class CsvRangeParse {

  private CsvRangeParse() {}

  /** Bytes of value blocks the ranges asked for: for tests. */
  static final java.util.concurrent.atomic.LongAdder RESERVED =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * One range's rows.
   *
   * @param from        the range's first byte in the file
   * @param to          just past its last byte
   * @param rows        its rows (lines that are not blank)
   * @param lines       its lines, blank ones too
   * @param markOffsets {@code markOffsets[m]}: where row {@code m * LEAF_ROWS} starts, from
   *     {@code from} (a mark every {@link CsvManifest#LEAF_ROWS} rows, so the bookkeeping is a
   *     64th of the rows and blank lines cost nothing: a leaf's start is a walk of at most 63
   *     rows from a mark, {@link CsvLeafHash})
   * @param markLines   {@code markLines[m]}: the range's lines before that row
   * @param max         the largest target
   * @param values      its values, or null if none were kept
   * @param crc         the CRC-32C of the range's bytes as this pass read them
   */
  record Parsed(long from, long to, int rows, long lines, int[] markOffsets, int[] markLines,
      double max, Blocks values, long crc) {}

  /**
   * A range's values in blocks, each sized by the bytes left at the mean row length so far, so
   * a range's rows usually fill one block; within a budget shared by the ranges of the scan.
   */
  static final class Blocks {
    final List<double[][]> x = new ArrayList<>();
    final List<double[]> y = new ArrayList<>();
    final List<Integer> rows = new ArrayList<>();
    /** Rows of the first block, before the mean row length is known. */
    private static final int SAMPLE = 1024;
    private final int features;
    private final AtomicLong budget;
    private double[][] bx;
    private double[] by;
    private int n;

    /** {@code budget}: bytes the scan's blocks may still take, shared by its ranges. */
    Blocks(int features, AtomicLong budget) {
      this.features = features;
      this.budget = budget;
    }

    /**
     * Adds a row; false (keeping nothing more) if a new block would pass the budget.
     *
     * @param bytesSoFar the range's bytes before this row
     * @param rowsSoFar  its rows before this one
     * @param bytesLeft  its bytes from this row on
     */
    boolean add(double[] v, double t, long bytesSoFar, int rowsSoFar, long bytesLeft) {
      if (by == null) {
        // The first rows only tell the mean row length: a small block, then the real one.
        if (!reserve(SAMPLE)) {
          return false;
        }
        bx = new double[features][SAMPLE];
        by = new double[SAMPLE];
        n = 0;
      } else if (n == by.length) {
        // The rows the rest of the range holds at the mean length so far, and a little more.
        double mean = Math.max(1, (double) bytesSoFar / rowsSoFar);
        int cap = (int) Math.min((long) (bytesLeft / mean * 1.02) + 64, Integer.MAX_VALUE - 8);
        if (!reserve(cap)) {
          return false;
        }
        if (x.isEmpty() && by.length == SAMPLE) {
          // Still the sample block: the real one takes its rows, and the range is one block.
          for (int f = 0; f < features; f++) {
            bx[f] = Arrays.copyOf(bx[f], n + cap);
          }
          by = Arrays.copyOf(by, n + cap);
        } else {
          close();
          bx = new double[features][cap];
          by = new double[cap];
          n = 0;
        }
      }
      for (int f = 0; f < features; f++) {
        bx[f][n] = v[f];
      }
      by[n] = t;
      n++;
      return true;
    }

    private boolean reserve(int capacity) {
      long bytes = 8L * capacity * (features + 1);
      RESERVED.add(bytes);
      return budget.addAndGet(-bytes) >= 0;
    }

    /** Ends the block being filled. */
    void close() {
      if (by != null) {
        x.add(bx);
        y.add(by);
        rows.add(n);
        bx = null;
        by = null;
      }
    }
  }

  /**
   * Parses, checks and notes the rows of {@code [from, to)}; null at the first problem (or when
   * {@code stop} is set, or the file ended early). The first range of a file starts at its first row; any other starts
   * just after a line end, maybe on a blank line.
   *
   * @param budget the bytes of values the ranges may still keep, or null to keep none
   */
  static Parsed parse(FileChannel ch, Path path, long from, long to, CsvHeader header,
      int features, DoubleFunction<String> targetCheck, AtomicBoolean stop, AtomicLong budget)
      throws IOException {
    if (to - from > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a range of " + (to - from) + " bytes");
    }
    CsvBytes lines = new CsvBytes(ch, path, from, to);
    CRC32C crc = new CRC32C();
    lines.checksum(crc);
    CsvStrictRow strict = new CsvStrictRow(header);
    CsvByteRow fast = new CsvByteRow();
    CsvLine cut = new CsvLine();
    double[] x = new double[features];
    Blocks values = budget == null ? null : new Blocks(features, budget);
    int[] markOffsets = new int[16];
    int[] markLines = new int[16];
    int rows = 0;
    long lineNo = 0;
    double max = Double.NEGATIVE_INFINITY;
    while (true) {
      boolean plain = lines.nextRow(strict, x);
      if (!plain && !lines.next()) {
        break;
      }
      if ((lineNo & 0xfff) == 0 && stop.get()) {
        return null;
      }
      lineNo++;
      double y;
      boolean row = true;
      if (plain) {
        y = strict.target();
      } else if (fast.parse(lines.array(), lines.from(), lines.textEnd(), header, x)) {
        y = fast.target();
      } else {
        String text = lines.text();
        row = !text.isBlank();
        // The line number is only for a message, which the one-thread scan gives instead.
        y = row ? CsvScan.row(cut, text, path, lineNo, header, x) : 0;
      }
      if (!row) {
        continue;
      }
      if (targetCheck.apply(y) != null) {
        stop.set(true);
        return null;
      }
      max = Math.max(max, y);
      int at = (int) (lines.start() - from);
      if (rows % CsvManifest.LEAF_ROWS == 0) {
        int m = rows / CsvManifest.LEAF_ROWS;
        if (m == markOffsets.length) {
          markOffsets = Arrays.copyOf(markOffsets, m * 2);
          markLines = Arrays.copyOf(markLines, m * 2);
        }
        markOffsets[m] = at;
        markLines[m] = (int) (lineNo - 1);
      }
      if (values != null && !values.add(x, y, at, rows, to - from - at)) {
        values = null;
        budget.set(Long.MIN_VALUE / 2); // one range over: the file's values are not kept
      }
      rows++;
    }
    if (lines.bytesRead() != to - from) {
      return null; // shorter than it was: changed
    }
    if (values != null) {
      values.close();
    }
    int marks = (rows + CsvManifest.LEAF_ROWS - 1) / CsvManifest.LEAF_ROWS;
    return new Parsed(from, to, rows, lineNo, Arrays.copyOf(markOffsets, marks),
        Arrays.copyOf(markLines, marks), max, values, crc.getValue());
  }
}
