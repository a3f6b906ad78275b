package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.protocol.NamedTensor;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code predict} streams: 1.5 M rows scored by a JVM with a 16 MB heap, less than the rows'
 * values alone would take (1.5 M × 2 doubles = 24 MB), so an implementation that held the input
 * or the predictions would run out of memory here.
 */
class PredictStreamingTest extends ProcessTestBase {

  private static final int ROWS = 1_500_000;

  @Test
  void aLargeFileIsScoredInConstantMemory() throws Exception {
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "20", "--run-dir", run.toString()).exitCode());
    Path data = dir.resolve("big.csv");
    try (BufferedWriter w = Files.newBufferedWriter(data)) {
      w.write("x\n");
      for (int i = 0; i < ROWS; i++) {
        w.write(Integer.toString(i % 2001 - 1000));
        w.write('\n');
      }
    }
    Path out = dir.resolve("preds.csv");
    Process p = processes.localRunnerWithJvm("predict", List.of("-Xmx16m"), "predict",
        run.toString(), "--data", data.toString(), "--out", out.toString());
    assertEquals(0, Processes.exitCode(p, Duration.ofSeconds(120)), processes.stderr("predict"));
    TrainedModel trained = TrainedModel.load(run);
    double w = NamedTensor.find(trained.params(), "w").values()[0];
    double b = NamedTensor.find(trained.params(), "b").values()[0];
    long rows = 0;
    try (BufferedReader r = Files.newBufferedReader(out)) {
      assertEquals("prediction", r.readLine());
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        double x = rows % 2001 - 1000;
        // One feature: the model computes x·w + b as one multiply and one add, exactly this.
        assertEquals(x * w + b, Double.parseDouble(line), 0.0, "row " + rows);
        rows++;
      }
    }
    assertEquals(ROWS, rows);
  }
}
