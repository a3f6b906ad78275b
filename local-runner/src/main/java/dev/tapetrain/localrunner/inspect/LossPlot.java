package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.LoggedStep;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.StepReader;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * Draws a run to a PNG: the loss on a log axis above (ticks at 1, 2, 5 × 10^k), the model's flat
 * parameters below it (the linear model's W and B, with dashed lines at the true values when the
 * data were synthetic; at most {@value #MAX_COMPONENTS} components of each), and one panel per
 * model metric (e.g. a classifier's accuracy). A run of epochs adds each epoch's training loss
 * and val_loss to the loss panel, at the epoch's last step.
 *
 * <p>A long log is downsampled while it is read ({@link Downsampled}): each series keeps at most
 * 2 × {@value Downsampled#MAX_BUCKETS} points, the lowest and the highest of each bucket of
 * consecutive logged steps (min/max decimation: a spike stays visible), so memory does not grow
 * with the run's length. Non-finite values are left out (and a loss that is not positive, on
 * the log axis).
 *
 * <p>Use: a {@link Series} of the run, {@link Series#accept} for every logged line in order,
 * then {@link #write}.
 */
final class LossPlot {

  static final int WIDTH = 1000;
  static final int HEIGHT = 750;
  /** Components of one flat parameter drawn (W[0] … W[9] of a model of many features). */
  static final int MAX_COMPONENTS = 10;

  private LossPlot() {}

  /** The series of one run, gathered line by line. */
  static final class Series {
    private final List<String> flat;
    private final Downsampled loss = new Downsampled();
    private final Map<String, List<Downsampled>> params = new LinkedHashMap<>();
    private final Map<String, Boolean> scalar = new LinkedHashMap<>();
    private final Map<String, Downsampled> metrics = new LinkedHashMap<>();
    private final Downsampled epochLoss = new Downsampled();
    private final Downsampled valLoss = new Downsampled();
    private long lines;

    Series(RunFiles run) {
      this.flat = run.flatParameters();
      flat.forEach(name -> params.put(name, new ArrayList<>()));
      run.metrics().forEach(name -> metrics.put(name, new Downsampled()));
    }

    /** Whether no line was taken: there is nothing to draw. */
    boolean isEmpty() {
      return lines == 0;
    }

    /** Takes the next logged line. */
    void accept(JsonNode line) {
      lines++;
      double step = line.path("step").asDouble();
      double l = Json.number(line.path("loss"));
      if (l > 0) {
        loss.add(step, l);
      }
      JsonNode values = flat.isEmpty() ? null : LoggedStep.params(line, flat);
      if (values != null) {
        for (String name : flat) {
          double[] v = LoggedStep.values(values.get(name));
          List<Downsampled> series = params.get(name);
          scalar.put(name, v.length == 1 && !values.get(name).isArray());
          for (int i = 0; i < v.length && i < MAX_COMPONENTS; i++) {
            if (series.size() <= i) {
              series.add(new Downsampled());
            }
            series.get(i).add(step, v[i]);
          }
        }
      }
      metrics.forEach((name, series) -> {
        if (line.has(name)) {
          series.add(step, Json.number(line.get(name)));
        }
      });
    }

    /**
     * Takes the next line of epochs.jsonl: its loss and val_loss, drawn on the loss panel at
     * the epoch's last step (as TensorBoard's {@code epoch/loss} and {@code val/loss}).
     */
    void acceptEpoch(JsonNode line) {
      lines++;
      double step = line.path("steps").asDouble() - 1;
      double l = Json.number(line.path("loss"));
      if (l > 0) {
        epochLoss.add(step, l);
      }
      if (line.has("val_loss")) {
        double v = Json.number(line.get("val_loss"));
        if (v > 0) {
          valLoss.add(step, v);
        }
      }
    }
  }

  /** Reads {@code run}'s log and draws it to {@code png}. */
  static void write(RunFiles run, Path png) throws IOException {
    write(run, read(run), png);
  }

  /** Draws {@code series} of {@code run} to {@code png}. */
  static void write(RunFiles run, Series series, Path png) throws IOException {
    ChartUtils.saveChartAsPNG(png.toFile(), chart(run, series), WIDTH, HEIGHT);
  }

  /** The series of {@code run}'s whole log (steps.jsonl, and epochs.jsonl if there is one). */
  static Series read(RunFiles run) {
    Series series = new Series(run);
    try (StepReader reader = run.steps()) {
      for (JsonNode line = reader.next(); line != null; line = reader.next()) {
        series.accept(line);
      }
    }
    try (StepReader reader = StepReader.from(run.dir().resolve(EpochTable.FILE), 0, false)) {
      for (JsonNode line = reader.next(); line != null; line = reader.next()) {
        series.acceptEpoch(line);
      }
    }
    return series;
  }

  /** The chart of {@code run}'s whole log. */
  static JFreeChart chart(RunFiles run) {
    return chart(run, read(run));
  }

  /**
   * The chart: the loss on a log axis with ticks at round values, the model's flat parameters
   * (with the true values of synthetic data), and one panel per model metric.
   */
  static JFreeChart chart(RunFiles run, Series s) {
    System.setProperty("java.awt.headless", "true");
    LogAxis lossAxis = new RoundLogAxis("loss (log)");
    lossAxis.setAutoRange(true);
    XYSeriesCollection losses = new XYSeriesCollection(s.loss.toSeries("loss"));
    XYLineAndShapeRenderer lossRenderer = new XYLineAndShapeRenderer(true, false);
    if (s.epochLoss.size() > 0) {
      losses.addSeries(s.epochLoss.toSeries("epoch loss"));
      lossRenderer.setSeriesShapesVisible(losses.getSeriesCount() - 1, true);
    }
    if (s.valLoss.size() > 0) {
      losses.addSeries(s.valLoss.toSeries("val_loss"));
      lossRenderer.setSeriesShapesVisible(losses.getSeriesCount() - 1, true);
    }
    XYPlot lossPlot = new XYPlot(losses, null, lossAxis, lossRenderer);
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("step"));
    plot.add(lossPlot, 1);
    if (s.params.values().stream().anyMatch(list -> !list.isEmpty())) {
      plot.add(flatPanel(run, s), 1);
    }
    s.metrics.forEach((name, series) -> {
      if (series.size() > 0) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, new Color(0x94, 0x67, 0xbd));
        NumberAxis axis = new NumberAxis(name);
        axis.setAutoRangeIncludesZero(false);
        plot.add(new XYPlot(new XYSeriesCollection(series.toSeries(name)), null, axis, r), 1);
      }
    });
    JFreeChart chart = new JFreeChart("tapetrain: " + run.dir().getFileName(),
        JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** The flat parameters' panel: one dataset per parameter (W, then B in green). */
  private static XYPlot flatPanel(RunFiles run, Series s) {
    List<String> labels = new ArrayList<>();
    s.flat.forEach(n -> labels.add(n.toUpperCase(Locale.ROOT)));
    XYPlot panel = new XYPlot(null, null, new NumberAxis(String.join(", ", labels)), null);
    JsonNode data = run.config().path("dataset");
    boolean synthetic = "synthetic".equals(data.path("kind").asText());
    int index = 0;
    for (String name : s.flat) {
      String label = name.toUpperCase(Locale.ROOT);
      List<Downsampled> components = s.params.get(name);
      boolean one = Boolean.TRUE.equals(s.scalar.get(name));
      XYSeriesCollection collection = new XYSeriesCollection();
      for (int i = 0; i < components.size(); i++) {
        collection.addSeries(components.get(i).toSeries(one ? label : label + "[" + i + "]"));
      }
      XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
      Color color = index == 1 ? new Color(0x2c, 0xa0, 0x2c) : Color.BLUE;
      if (index == 1) {
        renderer.setSeriesPaint(0, color);
      }
      panel.setDataset(index, collection);
      panel.setRenderer(index, renderer);
      JsonNode truth = data.path("true_" + name);
      if (synthetic && !truth.isMissingNode()) {
        double[] t = LoggedStep.values(truth);
        for (int i = 0; i < t.length && i < MAX_COMPONENTS; i++) {
          addTruth(panel, t.length == 1 ? "true " + label : "true " + label + "[" + i + "]", t[i],
              color);
        }
      }
      index++;
    }
    return panel;
  }

  /**
   * A series downsampled as it grows: its points go, in order, into buckets of {@code width}
   * consecutive points, of which each keeps its lowest and its highest (min/max decimation);
   * when there are {@value #MAX_BUCKETS} buckets, neighbours merge pairwise and the width
   * doubles. So at most 2 × {@value #MAX_BUCKETS} points are kept, whatever the length, and
   * the first and the last point besides, so a curve starts and ends where the run did.
   */
  static final class Downsampled {
    static final int MAX_BUCKETS = 1000;
    private final double[] minX = new double[MAX_BUCKETS];
    private final double[] minY = new double[MAX_BUCKETS];
    private final double[] maxX = new double[MAX_BUCKETS];
    private final double[] maxY = new double[MAX_BUCKETS];
    private int buckets;
    private long width = 1;
    private long points;
    private double firstX;
    private double firstY;
    private double lastX;
    private double lastY;

    /** Adds a point (after every earlier one); a non-finite y is left out. */
    void add(double x, double y) {
      if (!Double.isFinite(y)) {
        return;
      }
      if (points == 0) {
        firstX = x;
        firstY = y;
      }
      lastX = x;
      lastY = y;
      long bucket = points / width;
      if (bucket == MAX_BUCKETS) {
        for (int i = 0; i < MAX_BUCKETS / 2; i++) {
          int a = 2 * i;
          int b = 2 * i + 1;
          boolean lowB = minY[b] < minY[a];
          boolean highB = maxY[b] > maxY[a];
          minX[i] = lowB ? minX[b] : minX[a];
          minY[i] = lowB ? minY[b] : minY[a];
          maxX[i] = highB ? maxX[b] : maxX[a];
          maxY[i] = highB ? maxY[b] : maxY[a];
        }
        buckets = MAX_BUCKETS / 2;
        width *= 2;
        bucket = points / width;
      }
      int i = (int) bucket;
      if (i == buckets) {
        buckets++;
        minX[i] = x;
        minY[i] = y;
        maxX[i] = x;
        maxY[i] = y;
      } else {
        if (y < minY[i]) {
          minX[i] = x;
          minY[i] = y;
        }
        if (y > maxY[i]) {
          maxX[i] = x;
          maxY[i] = y;
        }
      }
      points++;
    }

    /** The points added (all of them, not only those kept). */
    long size() {
      return points;
    }

    /** The kept points in order: each bucket's lowest and highest, the earlier first. */
    XYSeries toSeries(String name) {
      XYSeries series = new XYSeries(name, false, true);
      if (points == 0) {
        return series;
      }
      if (firstX != minX[0] && firstX != maxX[0]) {
        series.add(firstX, firstY);
      }
      for (int i = 0; i < buckets; i++) {
        boolean minFirst = minX[i] <= maxX[i];
        series.add(minFirst ? minX[i] : maxX[i], minFirst ? minY[i] : maxY[i]);
        if (minX[i] != maxX[i]) {
          series.add(minFirst ? maxX[i] : minX[i], minFirst ? maxY[i] : minY[i]);
        }
      }
      int b = buckets - 1;
      if (lastX != minX[b] && lastX != maxX[b]) {
        series.add(lastX, lastY);
      }
      return series;
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
