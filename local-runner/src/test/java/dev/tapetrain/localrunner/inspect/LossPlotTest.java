package dev.tapetrain.localrunner.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.run.RunLog;
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
        LossPlot.RoundLogAxis.roundTicks(0.03, 80));
    assertEquals(List.of(0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0),
        LossPlot.RoundLogAxis.roundTicks(0.05, 12000));
    // 17 decades: every second power of ten is the densest that fits ten ticks.
    assertEquals(List.of(1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0, 1e2),
        LossPlot.RoundLogAxis.roundTicks(1e-13, 2e3));
    // A narrow range: 1 … 9 × 10^k.
    assertEquals(List.of(3.0, 4.0, 5.0), LossPlot.RoundLogAxis.roundTicks(2.5, 5.5));
  }

  @Test
  void theDrawnAxisOfARealRunUsesRoundTicksAndAClassifierGetsAnAccuracyPanel() {
    Path run = dir.resolve("run");
    int code = LocalRunner.run(new String[] {"--model", "softmax", "--classes", "3", "--steps",
        "60", "--learning-rate", "2", "--run-dir", run.toString()},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    assertEquals(0, code);
    JFreeChart chart = LossPlot.chart(RunLog.read(run));
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
}
