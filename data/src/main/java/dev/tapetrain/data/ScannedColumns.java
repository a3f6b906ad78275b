package dev.tapetrain.data;

import java.util.Arrays;
import java.util.List;

/**
 * The selected values of one file's rows as a scan parsed them, column-major ({@code x[f][r]},
 * {@code y[r]}), for {@link ScanHandoff}: either of a known row count, filled by row index from
 * several threads (each range its own rows), or growing as one thread adds rows in order, or
 * made of {@linkplain #ofBlocks blocks} that ranges of the file filled before anyone knew at
 * which row each range starts (the CSV scan by ranges: no count pass, no copy). A block holds
 * consecutive rows of the file from its own index 0; its arrays may be longer than its rows.
 */
final class ScannedColumns {

  /** Per block, its features' arrays; one block unless made by {@link #ofBlocks}. */
  private double[][][] xs;
  private double[][] ys;
  /** Block {@code k} holds the file's rows {@code [starts[k], starts[k + 1])}. */
  private int[] starts;

  private ScannedColumns(int features, int capacity) {
    xs = new double[][][] {new double[features][capacity]};
    ys = new double[][] {new double[capacity]};
    starts = new int[] {0, 0};
  }

  private ScannedColumns(double[][][] xs, double[][] ys, int[] starts) {
    this.xs = xs;
    this.ys = ys;
    this.starts = starts;
  }

  /** Room for exactly {@code rows} rows of {@code features} features, set by {@link #set}. */
  static ScannedColumns of(int features, int rows) {
    ScannedColumns c = new ScannedColumns(features, rows);
    c.starts[1] = rows;
    return c;
  }

  /** Empty columns that {@link #add} grows. */
  static ScannedColumns growing(int features) {
    return new ScannedColumns(features, 1024);
  }

  /**
   * The file's rows in {@code blocks}, one after another: block {@code k} holds {@code
   * rows[k]} rows ({@code x[f][i]}, {@code y[i]} from {@code i = 0}; longer arrays are fine).
   */
  static ScannedColumns ofBlocks(List<double[][]> x, List<double[]> y, int[] rows) {
    int n = rows.length;
    int[] starts = new int[n + 1];
    for (int k = 0; k < n; k++) {
      starts[k + 1] = Math.addExact(starts[k], rows[k]);
    }
    return new ScannedColumns(x.toArray(new double[0][][]), y.toArray(new double[0][]), starts);
  }

  /** Row {@code row}'s values (columns made by {@link #of}). */
  void set(int row, double[] values, double target) {
    double[][] x = xs[0];
    for (int f = 0; f < values.length; f++) {
      x[f][row] = values[f];
    }
    ys[0][row] = target;
  }

  /**
   * The next row's values (columns made by {@link #growing}).
   *
   * @return false, keeping nothing, if holding one more row would pass {@code maxBytes}
   */
  boolean add(double[] values, double target, long maxBytes) {
    int rows = starts[1];
    double[][] x = xs[0];
    if (rows == ys[0].length) {
      long fit = maxBytes / (8L * (x.length + 1));
      int more = (int) Math.min(Math.min((long) rows * 2, fit), Integer.MAX_VALUE - 8);
      if (more <= rows) {
        return false;
      }
      for (int f = 0; f < x.length; f++) {
        x[f] = Arrays.copyOf(x[f], more);
      }
      ys[0] = Arrays.copyOf(ys[0], more);
    }
    for (int f = 0; f < values.length; f++) {
      x[f][rows] = values[f];
    }
    ys[0][rows] = target;
    starts[1] = rows + 1;
    return true;
  }

  /** Drops the room {@link #add} left unused, so only the rows are held. */
  ScannedColumns trimmed() {
    int rows = starts[1];
    if (rows < ys[0].length) {
      double[][] x = xs[0];
      for (int f = 0; f < x.length; f++) {
        x[f] = Arrays.copyOf(x[f], rows);
      }
      ys[0] = Arrays.copyOf(ys[0], rows);
    }
    return this;
  }

  /**
   * Column {@code i} of the selection (columns made by {@link #of}): feature {@code i}, or the
   * target after the features.
   */
  double[] column(int i) {
    return i < xs[0].length ? xs[0][i] : ys[0];
  }

  int rows() {
    return starts[starts.length - 1];
  }

  /** The number of blocks. */
  int blocks() {
    return ys.length;
  }

  /** The block holding all of the file's rows {@code [from, to)}, or -1 if none does. */
  int blockOf(long from, long to) {
    int k = Arrays.binarySearch(starts, 0, starts.length - 1, (int) from);
    k = k >= 0 ? k : -k - 2;
    // Empty blocks share their start with the next one: the last block starting there.
    while (k + 1 < starts.length - 1 && starts[k + 1] == from) {
      k++;
    }
    return k >= 0 && to <= starts[k + 1] ? k : -1;
  }

  /** The file's row at index 0 of block {@code k}'s arrays. */
  int start(int k) {
    return starts[k];
  }

  /** Block {@code k}'s features' arrays themselves (not copies), for a worker's view. */
  double[][] x(int k) {
    return xs[k].clone();
  }

  /** Block {@code k}'s targets' array itself. */
  double[] y(int k) {
    return ys[k];
  }

  /** The bytes the values take (arrays' lengths, not only their rows). */
  long bytes() {
    long b = 0;
    for (int k = 0; k < ys.length; k++) {
      b += 8L * ys[k].length * (xs[k].length + 1);
    }
    return b;
  }

  /** Copies rows {@code [from, to)} into {@code part}'s arrays at {@code part.at()}. */
  void copyTo(long from, long to, double[][] partX, double[] partY, int at) {
    long row = from;
    while (row < to) {
      int k = blockOf(row, row + 1);
      int a = (int) row - starts[k];
      int n = (int) Math.min(to, starts[k + 1]) - (int) row;
      for (int f = 0; f < xs[k].length; f++) {
        System.arraycopy(xs[k][f], a, partX[f], at, n);
      }
      System.arraycopy(ys[k], a, partY, at, n);
      at += n;
      row += n;
    }
  }
}
