package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training on a CSV file against an independent full-batch gradient descent in a plain loop. */
class CsvTrainingTest {

  /**
   * Relative tolerance. The runner sums per chunk, then over chunks; the loop sums left to
   * right: the results differ only by rounding order (~1e-16 per operation), and gradient
   * descent with this learning rate is a contraction, so errors do not grow over 300 steps.
   */
  private static final double REL_TOL = 1e-12;

  @TempDir
  Path dir;

  @Test
  void threeHundredStepsMatchAPlainLoopFullBatchGradientDescent() throws Exception {
    int n = 537;
    double[] x = new double[n];
    double[] y = new double[n];
    Random rnd = new Random(2026);
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextGaussian() * 2;
      y[i] = 1.5 * x[i] - 0.7 + rnd.nextGaussian() * 0.3;
      csv.append(x[i]).append(',').append(y[i]).append('\n');
    }
    Path data = dir.resolve("train.csv");
    Files.writeString(data, csv);

    Path run = dir.resolve("run");
    Runs.Result r = Runs.run("--data", data.toString(), "--steps", "300", "--workers", "3",
        "--chunk-size", "37", "--learning-rate", "0.05", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<Runs.Step> steps = Runs.steps(run);
    assertEquals(300, steps.size());

    double w = 5.0;
    double b = 10.0;
    double lr = 0.05;
    for (int step = 0; step < 300; step++) {
      double dw = 0;
      double db = 0;
      for (int i = 0; i < n; i++) {
        double e = w * x[i] + b - y[i];
        dw += 2 * e * x[i];
        db += 2 * e;
      }
      w -= dw / n * lr;
      b -= db / n * lr;
      double loss = 0;
      for (int i = 0; i < n; i++) {
        double e = w * x[i] + b - y[i];
        loss += e * e;
      }
      loss /= n;
      Runs.Step s = steps.get(step);
      assertEquals(step, s.step());
      assertEquals(loss, s.loss(), REL_TOL * Math.abs(loss), "loss at step " + step);
      assertEquals(w, s.w(), REL_TOL * Math.abs(w), "w at step " + step);
      assertEquals(b, s.b(), REL_TOL * Math.abs(b), "b at step " + step);
    }
  }
}
