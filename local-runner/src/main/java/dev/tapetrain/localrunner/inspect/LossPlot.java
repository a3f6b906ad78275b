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
 * Draws a run to a PNG: the loss on a log axis above, the W and B trajectories below, with
 * dashed lines at the true values when the data were synthetic.
 */
final class LossPlot {

  static final int WIDTH = 1000;
  static final int HEIGHT = 750;

  private LossPlot() {}

  static void write(RunLog run, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeries loss = new XYSeries("loss");
    java.util.List<XYSeries> ws = new java.util.ArrayList<>();
    XYSeries b = new XYSeries("B");
    XYSeries accuracy = new XYSeries("accuracy");
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
      if (s.has("accuracy")) {
        accuracy.add(step, Json.number(s.get("accuracy")));
      }
    }
    LogAxis lossAxis = new LogAxis("loss (log)");
    lossAxis.setAutoRange(true);
    lossAxis.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
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
    if (accuracy.getItemCount() > 0) {
      plot.add(new XYPlot(new XYSeriesCollection(accuracy), null, new NumberAxis("accuracy"),
          new XYLineAndShapeRenderer(true, false)), 1);
    }
    JFreeChart chart = new JFreeChart("tapetrain: " + run.dir().getFileName(),
        JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
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
