package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "The last step is always logged" (README, --log-every), also for a run that ends before its
 * planned steps: --tolerance reached, early stopping. steps.jsonl and TensorBoard end with the
 * step the summary's numbers are from, the same for any worker count, and a resume goes on
 * after it (new-user round, 2026-12-07: two runs that stopped at steps 303 and 304 compared as
 * identical, both logs ending at step 300).
 */
class LastStepLoggedTest {

  @TempDir
  Path dir;

  /** The step of the last TensorBoard event of a step (an epoch's has no "loss" scalar). */
  private static long lastEvent(Path run) throws Exception {
    List<TfEvents.Event> events = TfEvents.read(TfEvents.file(run)).stream()
        .filter(e -> e.scalars().containsKey("loss")).toList();
    return events.get(events.size() - 1).step();
  }

  private static List<JsonNode> lines(Path run) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(run.resolve("steps.jsonl"))) {
      out.add(Json.MAPPER.readTree(l));
    }
    return out;
  }

  @Test
  void aRunEndedByToleranceLogsItsLastStepForAnyWorkerCount() throws Exception {
    List<List<Runs.Step>> logged = new ArrayList<>();
    for (int workers : new int[] {1, 3}) {
      Path run = dir.resolve("w" + workers);
      Runs.Result r = Runs.run("--tolerance", "1e-4", "--steps", "100000", "--log-every", "100",
          "--workers", "" + workers, "--run-dir", run.toString());
      assertEquals(0, r.exitCode(), r.err());
      JsonNode summary = Runs.summary(run);
      assertEquals("converged", summary.get("status").asText());
      long steps = summary.get("steps").asLong();
      assertNotEquals(0, steps % 100, "the case: its last step is not one --log-every logs");
      List<Runs.Step> steps0 = Runs.steps(run);
      assertEquals(new Runs.Step(steps - 1, summary.get("loss").asDouble(),
          summary.get("w").asDouble(), summary.get("b").asDouble()),
          steps0.get(steps0.size() - 1), "the last line is the summary's step, bit for bit");
      assertEquals(steps - 1, lastEvent(run), "TensorBoard's last point");
      logged.add(steps0);
    }
    assertEquals(logged.get(0), logged.get(1), "1 and 3 workers log the same steps and bits");

    Path run = dir.resolve("w1");
    long ended = logged.get(0).get(logged.get(0).size() - 1).step();
    Runs.Result again = Runs.run("--resume", run.toString(), "--steps", "100002");
    assertEquals(0, again.exitCode(), again.err());
    List<JsonNode> lines = lines(run);
    JsonNode after = lines.get(logged.get(0).size());
    assertEquals(ended + 1, after.get("step").asLong(), "the resume goes on after it");
    assertEquals(ended, after.get("prev").asLong(), "the chain of logged steps holds");
  }

  @Test
  void aRunStoppedEarlyLogsTheLastStepOfItsLastEpoch() throws Exception {
    Path data = dir.resolve("line.csv");
    Random rnd = new Random(7);
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 200; i++) {
      double x = rnd.nextGaussian();
      csv.append(String.format(Locale.ROOT, "%.6f,%.6f%n", x, 3 * x + 2 + rnd.nextGaussian()));
    }
    Files.writeString(data, csv);
    Path run = dir.resolve("early");
    // 160 training rows in batches of 32: 5 steps an epoch; only step 0 is logged on its own.
    Runs.Result r = Runs.run("--data", data.toString(), "--batch-size", "32", "--epochs", "200",
        "--validation-split", "0.2", "--early-stopping-patience", "2", "--min-delta", "0.01",
        "--learning-rate", "0.05", "--log-every", "1000", "--checkpoint-every", "1000",
        "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode summary = Runs.summary(run);
    assertEquals("stopped_early", summary.get("status").asText());
    long steps = summary.get("steps").asLong();
    List<JsonNode> lines = lines(run);
    assertEquals(List.of(0L, steps - 1), lines.stream().map(l -> l.get("step").asLong()).toList());
    assertEquals(steps - 1, lastEvent(run), "TensorBoard's last point");
  }
}
