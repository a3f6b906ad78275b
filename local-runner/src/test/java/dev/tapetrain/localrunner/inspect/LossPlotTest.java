package dev.tapetrain.localrunner.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.localrunner.LocalRunner;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect --plot}: round ticks on the loss axis, one panel per model metric. */
class LossPlotTest {

  @TempDir
  Path dir;

  /** Whether {@code label} reads as m × 10^k with m in {@code mantissas}, written exactly. */
  private static boolean round(String label, List<Integer> mantissas) {
    BigDecimal d = new BigDecimal(label).stripTrailingZeros();
    return d.unscaledValue().abs().bitLength() < 8
        && mantissas.contains(d.unscaledValue().intValueExact());
  }

  @Test
  void lossTicksAreOneTwoFiveTimesPowersOfTenOrPowersAloneOverManyDecades() {
    // Independent expectation for 0.03 … 80: every 1, 2, 5 × 10^k inside, written by hand.
    assertEquals(List.of(0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
        RoundLogAxis.roundTicks(0.03, 80));
    assertEquals(List.of(0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0),
        RoundLogAxis.roundTicks(0.05, 12000));
    // 17 decades: every second power of ten is the densest that fits ten ticks.
    assertEquals(List.of(1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0, 1e2),
        RoundLogAxis.roundTicks(1e-13, 2e3));
    // A narrow range: 1 … 9 × 10^k.
    assertEquals(List.of(3.0, 4.0, 5.0), RoundLogAxis.roundTicks(2.5, 5.5));
  }

  @Test
  void theDrawnAxisOfARealRunUsesRoundTicksAndAClassifierGetsAnAccuracyPanel() {
    Path run = dir.resolve("run");
    int code = LocalRunner.run(new String[] {"--model", "softmax", "--classes", "3", "--steps",
        "60", "--learning-rate", "2", "--run-dir", run.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    assertEquals(0, code);
    JFreeChart chart = LossPlot.chart(RunFiles.read(run));
    @SuppressWarnings("unchecked")
    List<XYPlot> panels = ((CombinedDomainXYPlot) chart.getPlot()).getSubplots();
    assertEquals(List.of("loss (log)", "accuracy"),
        panels.stream().map(p -> p.getRangeAxis().getLabel()).toList());
    Graphics2D g2 = new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB).createGraphics();
    @SuppressWarnings("unchecked")
    List<ValueTick> ticks = panels.get(0).getRangeAxis().refreshTicks(g2, new AxisState(),
        new Rectangle2D.Double(0, 0, 800, 600), RectangleEdge.LEFT);
    assertTrue(ticks.size() >= 2, "ticks: " + ticks);
    for (ValueTick t : ticks) {
      assertTrue(round(t.getText(), List.of(1, 2, 3, 4, 5, 6, 7, 8, 9)), "tick " + t.getText());
    }
  }

  @Test
  void aRunOfEpochsDrawsEachEpochsLossAndValLossAtItsLastStep() throws Exception {
    Path run = dir.resolve("epochs");
    int code = LocalRunner.run(new String[] {"--model", "logistic", "--examples", "300",
        "--batch-size", "50", "--epochs", "4", "--validation-split", "0.2", "--run-dir",
        run.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()));
    assertEquals(0, code);
    JFreeChart chart = LossPlot.chart(RunFiles.read(run));
    @SuppressWarnings("unchecked")
    List<XYPlot> panels = ((CombinedDomainXYPlot) chart.getPlot()).getSubplots();
    org.jfree.data.xy.XYSeriesCollection losses =
        (org.jfree.data.xy.XYSeriesCollection) panels.get(0).getDataset();
    assertEquals(List.of("loss", "epoch loss", "val_loss"), ((List<?>) losses.getSeries())
        .stream().map(x -> ((org.jfree.data.xy.XYSeries) x).getKey()).toList());
    List<String> lines = java.nio.file.Files.readAllLines(run.resolve("epochs.jsonl"));
    assertEquals(4, lines.size());
    for (int e = 0; e < 4; e++) {
      com.fasterxml.jackson.databind.JsonNode line =
          dev.tapetrain.coordinator.run.Json.MAPPER.readTree(lines.get(e));
      // 240 training samples, batches of 50: 5 updates an epoch; drawn at the last one.
      assertEquals(5.0 * (e + 1) - 1, losses.getSeries(2).getX(e).doubleValue());
      assertEquals(line.get("val_loss").asDouble(), losses.getSeries(2).getY(e).doubleValue());
      assertEquals(line.get("loss").asDouble(), losses.getSeries(1).getY(e).doubleValue());
    }
  }

  @Test
  void aSeriesKeepsAtMostTwoPointsABucketWithItsSpikesAndBothEnds() {
    LossPlot.Downsampled d = new LossPlot.Downsampled();
    int n = 1_000_003;
    for (int i = 0; i < n; i++) {
      d.add(i, i == 777_777 ? 1e6 : i == 123_457 ? -1e6 : Math.sin(i / 1000.0));
    }
    org.jfree.data.xy.XYSeries s = d.toSeries("y");
    assertTrue(s.getItemCount() <= 2 * LossPlot.Downsampled.MAX_BUCKETS + 2,
        "points: " + s.getItemCount());
    assertTrue(s.getItemCount() > LossPlot.Downsampled.MAX_BUCKETS, "points: " + s.getItemCount());
    assertEquals(n, d.size());
    java.util.Map<Double, Double> points = new java.util.HashMap<>();
    for (int i = 0; i < s.getItemCount(); i++) {
      points.put(s.getX(i).doubleValue(), s.getY(i).doubleValue());
    }
    assertEquals(1e6, points.get(777_777.0), "the spike");
    assertEquals(-1e6, points.get(123_457.0), "the dip");
    assertEquals(0.0, points.get(0.0), "the first point");
    assertEquals(Math.sin((n - 1) / 1000.0), points.get((double) (n - 1)), "the last point");
    for (int i = 1; i < s.getItemCount(); i++) {
      assertTrue(s.getX(i).doubleValue() > s.getX(i - 1).doubleValue(), "in order");
    }
  }

  @Test
  void aLongLogOfTheOldLinearFormatIsPlottedDownsampledWithItsWAndB() throws Exception {
    // Lines as linear runs wrote them before params: only the flat w, b, grad_w, grad_b.
    Path run = dir.resolve("old");
    java.nio.file.Files.createDirectories(run);
    java.nio.file.Files.writeString(run.resolve("config.json"), "{\"options\":{\"model\":"
        + "\"linear\",\"steps\":50000},\"dataset\":{\"kind\":\"synthetic\",\"true_w\":[3.0],"
        + "\"true_b\":2.0},\"metrics\":[]}");
    java.nio.file.Files.writeString(run.resolve("summary.json"), "{\"status\":\"completed\"}");
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      log.append("{\"step\":").append(i).append(",\"prev\":").append(i - 1)
          .append(",\"loss\":").append(1 + 1000.0 / (i + 1)).append(",\"w\":").append(3 + 1.0 / (i + 1))
          .append(",\"b\":").append(2 - 1.0 / (i + 1)).append(",\"grad_w\":0.5,\"grad_b\":0.5,"
              + "\"digest\":\"00\",\"step_ms\":0.1}\n");
    }
    java.nio.file.Files.writeString(run.resolve("steps.jsonl"), log);
    JFreeChart chart = LossPlot.chart(RunFiles.read(run));
    @SuppressWarnings("unchecked")
    List<XYPlot> panels = ((CombinedDomainXYPlot) chart.getPlot()).getSubplots();
    assertEquals(List.of("loss (log)", "W, B"),
        panels.stream().map(p -> p.getRangeAxis().getLabel()).toList());
    XYPlot params = panels.get(1);
    assertEquals("W", params.getDataset(0).getSeriesKey(0));
    assertEquals("B", params.getDataset(1).getSeriesKey(0));
    for (org.jfree.data.xy.XYDataset data : List.of(panels.get(0).getDataset(),
        params.getDataset(0), params.getDataset(1))) {
      int count = data.getItemCount(0);
      assertTrue(count > 1000 && count <= 2002, "points: " + count);
      assertEquals(49_999.0, data.getXValue(0, count - 1), "the last step is drawn");
    }
  }
}
