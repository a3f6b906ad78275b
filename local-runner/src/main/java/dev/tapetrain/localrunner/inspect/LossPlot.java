package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunLog;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a run to a PNG: the loss on a log axis above (ticks at 1, 2, 5 × 10^k), the W and B
 * trajectories of the linear model below it, with dashed lines at the true values when the data
 * were synthetic, and one panel per model metric (e.g. a classifier's accuracy).
 */
final class LossPlot {

  static final int WIDTH = 1000;
  static final int HEIGHT = 750;

  private LossPlot() {}

  static void write(RunLog run, Path png) throws IOException {
    ChartUtils.saveChartAsPNG(png.toFile(), chart(run), WIDTH, HEIGHT);
  }

  /**
   * The chart: the loss on a log axis with ticks at round values, the linear model's W and B
   * (with the true values of synthetic data), and one panel per model metric.
   */
  static JFreeChart chart(RunLog run) {
    System.setProperty("java.awt.headless", "true");
    XYSeries loss = new XYSeries("loss");
    java.util.List<XYSeries> ws = new java.util.ArrayList<>();
    XYSeries b = new XYSeries("B");
    java.util.Map<String, XYSeries> metrics = new java.util.LinkedHashMap<>();
    run.config().path("metrics").forEach(m -> metrics.put(m.asText(), new XYSeries(m.asText())));
    for (JsonNode s : run.steps()) {
      double step = s.path("step").asDouble();
      double l = Json.number(s.get("loss"));
      if (l > 0 && Double.isFinite(l)) {
        loss.add(step, l);
      }
      double[] wv = Json.doubles(s.get("w"));
      for (int i = 0; i < wv.length; i++) {
        if (ws.size() <= i) {
          ws.add(new XYSeries(wv.length == 1 ? "W" : "W[" + i + "]"));
        }
        ws.get(i).add(step, wv[i]);
      }
      if (s.has("b")) {
        b.add(step, Json.number(s.get("b")));
      }
      metrics.forEach((name, series) -> {
        if (s.has(name)) {
          series.add(step, Json.number(s.get(name)));
        }
      });
    }
    LogAxis lossAxis = new RoundLogAxis("loss (log)");
    lossAxis.setAutoRange(true);
    XYPlot lossPlot = new XYPlot(new XYSeriesCollection(loss), null, lossAxis,
        new XYLineAndShapeRenderer(true, false));
    XYSeriesCollection wCollection = new XYSeriesCollection();
    ws.forEach(wCollection::addSeries);
    XYPlot paramPlot = new XYPlot(wCollection, null, new NumberAxis("W, B"),
        new XYLineAndShapeRenderer(true, false));
    paramPlot.setDataset(1, new XYSeriesCollection(b));
    XYLineAndShapeRenderer bRenderer = new XYLineAndShapeRenderer(true, false);
    bRenderer.setSeriesPaint(0, new Color(0x2c, 0xa0, 0x2c));
    paramPlot.setRenderer(1, bRenderer);
    JsonNode data = run.config().path("dataset");
    if ("synthetic".equals(data.path("kind").asText())) {
      for (int i = 0; i < data.path("true_w").size(); i++) {
        addTruth(paramPlot, data.path("true_w").size() == 1 ? "true W" : "true W[" + i + "]",
            data.path("true_w").path(i).asDouble(), Color.BLUE);
      }
      addTruth(paramPlot, "true B", data.path("true_b").asDouble(), new Color(0x2c, 0xa0, 0x2c));
    }
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("step"));
    plot.add(lossPlot, 1);
    if (!ws.isEmpty()) {
      plot.add(paramPlot, 1); // the linear model's W and B
    }
    metrics.forEach((name, series) -> {
      if (series.getItemCount() > 0) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, new Color(0x94, 0x67, 0xbd));
        NumberAxis axis = new NumberAxis(name);
        axis.setAutoRangeIncludesZero(false);
        plot.add(new XYPlot(new XYSeriesCollection(series), null, axis, r), 1);
      }
    });
    JFreeChart chart = new JFreeChart("tapetrain: " + run.dir().getFileName(),
        JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /**
   * A log axis whose ticks sit at round values: 1, 2, 5 × 10^k when that gives at most
   * {@link #MAX_TICKS} ticks, else powers of ten (every one, or every few); 1 … 9 × 10^k when
   * the range is too narrow for two of 1, 2, 5.
   */
  static final class RoundLogAxis extends LogAxis {
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

  private static void addTruth(XYPlot plot, String label, double value, Color color) {
    ValueMarker m = new ValueMarker(value, color, new BasicStroke(1.0f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 1.0f, new float[] {6.0f, 4.0f}, 0.0f));
    m.setLabel(label);
    m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
    m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
    plot.addRangeMarker(m);
  }
}
