package dev.tapetrain.localrunner.inspect;

import org.jfree.chart.axis.LogAxis;

/**
 * A log axis whose ticks sit at round values: 1, 2, 5 × 10^k when that gives at most
 * {@link #MAX_TICKS} ticks, else powers of ten (every one, or every few); 1 … 9 × 10^k when
 * the range is too narrow for two of 1, 2, 5.
 */
final class RoundLogAxis extends LogAxis {
  static final int MAX_TICKS = 10;
  private static final long serialVersionUID = 1L;

  RoundLogAxis(String label) {
    super(label);
    setNumberFormatOverride(new java.text.DecimalFormat("0.#########"));
  }

  @Override
  protected java.util.List<org.jfree.chart.axis.ValueTick> refreshTicksVertical(
      java.awt.Graphics2D g2, java.awt.geom.Rectangle2D dataArea,
      org.jfree.chart.ui.RectangleEdge edge) {
    org.jfree.chart.ui.TextAnchor anchor = edge == org.jfree.chart.ui.RectangleEdge.RIGHT
        ? org.jfree.chart.ui.TextAnchor.CENTER_LEFT
        : org.jfree.chart.ui.TextAnchor.CENTER_RIGHT;
    java.util.List<Double> values = roundTicks(getLowerBound(), getUpperBound());
    if (values.size() < 2) {
      return super.refreshTicksVertical(g2, dataArea, edge);
    }
    java.util.List<org.jfree.chart.axis.ValueTick> ticks = new java.util.ArrayList<>();
    for (double v : values) {
      ticks.add(new org.jfree.chart.axis.NumberTick(org.jfree.chart.axis.TickType.MAJOR, v,
          getNumberFormatOverride().format(v), anchor, org.jfree.chart.ui.TextAnchor.CENTER,
          0.0));
    }
    return ticks;
  }

  /**
   * The tick values in [lower, upper] (both positive), in increasing order; fewer than two
   * when the range is too narrow for round values.
   */
  static java.util.List<Double> roundTicks(double lower, double upper) {
    int first = (int) Math.floor(Math.log10(lower));
    int last = (int) Math.ceil(Math.log10(upper));
    java.util.List<Double> t = ticks(lower, upper, first, last, new double[] {1, 2, 5}, 1);
    if (t.size() < 2) {
      return ticks(lower, upper, first, last, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1);
    }
    for (int every = 1; t.size() > MAX_TICKS; every++) {
      t = ticks(lower, upper, first, last, new double[] {1}, every);
    }
    return t;
  }

  private static java.util.List<Double> ticks(double lower, double upper, int first, int last,
      double[] mantissas, int everyDecade) {
    java.util.List<Double> t = new java.util.ArrayList<>();
    for (int e = Math.floorDiv(first, everyDecade) * everyDecade; e <= last; e += everyDecade) {
      for (double m : mantissas) {
        // Parsed from text, so 0.1, 0.2, 0.5 are the doubles nearest those decimals.
        double v = Double.parseDouble((int) m + "e" + e);
        if (v >= lower * (1 - 1e-12) && v <= upper * (1 + 1e-12)) {
          t.add(v);
        }
      }
    }
    return t;
  }
}
