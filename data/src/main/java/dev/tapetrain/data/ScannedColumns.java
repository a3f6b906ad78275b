package dev.tapetrain.data;

/**
 * The selected values of one file's rows as a scan parsed them, column-major ({@code x[f][r]},
 * {@code y[r]}), for {@link ScanHandoff}: either of a known row count, filled by row index from
 * several threads (each range its own rows), or growing as one thread adds rows in order.
 */
final class ScannedColumns {

  private double[][] x;
  private double[] y;
  private int rows;

  private ScannedColumns(int features, int capacity) {
    x = new double[features][capacity];
    y = new double[capacity];
  }

  /** Room for exactly {@code rows} rows of {@code features} features, set by {@link #set}. */
  static ScannedColumns of(int features, int rows) {
    ScannedColumns c = new ScannedColumns(features, rows);
    c.rows = rows;
    return c;
  }

  /** Empty columns that {@link #add} grows. */
  static ScannedColumns growing(int features) {
    return new ScannedColumns(features, 1024);
  }

  /** Row {@code row}'s values (columns made by {@link #of}). */
  void set(int row, double[] values, double target) {
    for (int f = 0; f < values.length; f++) {
      x[f][row] = values[f];
    }
    y[row] = target;
  }

  /**
   * The next row's values (columns made by {@link #growing}).
   *
   * @return false, keeping nothing, if holding one more row would pass {@code maxBytes}
   */
  boolean add(double[] values, double target, long maxBytes) {
    if (rows == y.length) {
      long fit = maxBytes / (8L * (x.length + 1));
      int more = (int) Math.min(Math.min((long) rows * 2, fit), Integer.MAX_VALUE - 8);
      if (more <= rows) {
        return false;
      }
      for (int f = 0; f < x.length; f++) {
        x[f] = java.util.Arrays.copyOf(x[f], more);
      }
      y = java.util.Arrays.copyOf(y, more);
    }
    for (int f = 0; f < values.length; f++) {
      x[f][rows] = values[f];
    }
    y[rows] = target;
    rows++;
    return true;
  }

  /** Drops the room {@link #add} left unused, so only the rows are held. */
  ScannedColumns trimmed() {
    if (rows < y.length) {
      for (int f = 0; f < x.length; f++) {
        x[f] = java.util.Arrays.copyOf(x[f], rows);
      }
      y = java.util.Arrays.copyOf(y, rows);
    }
    return this;
  }

  /** Column {@code i} of the selection: feature {@code i}, or the target after the features. */
  double[] column(int i) {
    return i < x.length ? x[i] : y;
  }

  int rows() {
    return rows;
  }

  /** The features' arrays themselves (not copies), for a worker's view of them. */
  double[][] x() {
    return x.clone();
  }

  /** The targets' array itself. */
  double[] y() {
    return y;
  }

  /** The bytes the values take. */
  long bytes() {
    return 8L * y.length * (x.length + 1);
  }

  /** Copies rows {@code [from, to)} into {@code part}'s arrays at {@code part.at()}. */
  void copyTo(long from, long to, double[][] partX, double[] partY, int at) {
    int n = (int) (to - from);
    for (int f = 0; f < x.length; f++) {
      System.arraycopy(x[f], (int) from, partX[f], at, n);
    }
    System.arraycopy(y, (int) from, partY, at, n);
  }
}
