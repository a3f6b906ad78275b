package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectTest {

  @TempDir
  Path dir;

  private Path train(String name, String... extra) {
    Path run = dir.resolve(name);
    String[] args = Stream.concat(Stream.of("--steps", "40", "--run-dir", run.toString()),
        Stream.of(extra)).toArray(String[]::new);
    Runs.Result r = Runs.run(args);
    assertEquals(0, r.exitCode(), r.err());
    return run;
  }

  @Test
  void jsonSummaryMatchesTheRunsOwnFiles() throws Exception {
    Path run = train("a");
    Runs.Result r = Runs.run("inspect", run.toString(), "--format", "json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode s = Json.MAPPER.readTree(r.out());
    JsonNode summary = Runs.summary(run);
    List<Runs.Step> steps = Runs.steps(run);
    Runs.Step last = steps.get(steps.size() - 1);
    assertEquals("completed", s.get("status").asText());
    assertEquals(40, s.get("steps").asLong());
    assertEquals(40, s.get("planned_steps").asLong());
    assertEquals(summary.get("initial_loss").asDouble(), s.get("initial_loss").asDouble(), 0.0);
    assertEquals(last.loss(), s.get("loss").asDouble(), 0.0);
    assertEquals(last.w(), s.get("w").asDouble(), 0.0);
    assertEquals(last.b(), s.get("b").asDouble(), 0.0);
    assertEquals(3.0, s.get("true_w").asDouble());
    assertEquals(2.0, s.get("true_b").asDouble());
    assertEquals(4, s.get("workers").asInt());
    assertEquals(40 / summary.get("train_seconds").asDouble(),
        s.get("steps_per_second").asDouble(), 1e-9);
  }

  @Test
  void textReportShowsSummaryStepAndWorkerTables() throws Exception {
    Path run = train("a");
    Runs.Result r = Runs.run("inspect", run.toString(), "--every", "10");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("status:         completed (40 of 40 steps)"), r.out());
    assertTrue(r.out().contains("W:              " + Runs.summary(run).get("w").asDouble()
        + "   (true 3.0)"), r.out());
    // Steps 0, 10, 20, 30 and the last (39), then one row per worker.
    long stepRows = r.outLines().stream().filter(l -> l.matches("\\s+\\d+\\s+\\d.*")).count();
    assertEquals(5, stepRows, r.out());
    List<String> workerRows = r.outLines().stream().filter(l -> l.startsWith("akka://")).toList();
    assertEquals(4, workerRows.size(), r.out());
    // 1000 samples in 16 chunks of 64 (the last has 40) over 4 workers: every sample once.
    long samples = 0;
    for (String row : workerRows) {
      samples += Long.parseLong(row.trim().split("\\s+")[3]);
    }
    assertEquals(1000, samples, r.out());
  }

  @Test
  void plotIsARealPngOfTheStatedSize() throws Exception {
    Path run = train("a");
    Path png = dir.resolve("plot.png");
    Runs.Result r = Runs.run("inspect", run.toString(), "--plot", png.toString());
    assertEquals(0, r.exitCode(), r.err());
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(1000, image.getWidth());
    assertEquals(750, image.getHeight());
    // Not blank: a chart has many colours (background, curves, text).
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int x = 0; x < image.getWidth(); x += 7) {
      for (int y = 0; y < image.getHeight(); y += 7) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 5, "colours: " + colours.size());
  }

  @Test
  void followPrintsEveryStepOfARunInProgressUntilItEnds() throws Exception {
    Path run = dir.resolve("live");
    CompletableFuture<Runs.Result> training = CompletableFuture.supplyAsync(() -> Runs.run(
        "--steps", "1500", "--examples", "20000", "--log-every", "10", "--run-dir",
        run.toString()));
    Processes.await("the run to start", java.time.Duration.ofSeconds(30),
        () -> Files.exists(run.resolve("config.json")));
    Runs.Result r = Runs.run("inspect", run.toString(), "--follow");
    assertEquals(0, training.get().exitCode());
    assertEquals(0, r.exitCode(), r.err());
    long stepRows = r.outLines().stream().filter(l -> l.matches("\\s+\\d+\\s+\\d.*")).count();
    assertEquals(Runs.steps(run).size(), stepRows, "every logged step, once");
    assertTrue(r.out().contains("status:         completed (1500 of 1500 steps)"), r.out());
  }

  @Test
  void comparingARunWithItsCopySaysIdentical() throws Exception {
    Path a = train("a");
    Path b = train("b", "--workers", "3");
    Runs.Result r = Runs.run("inspect", a.toString(), b.toString());
    assertEquals(0, r.exitCode(), r.out());
    assertTrue(r.out().startsWith("identical (40 logged steps in common"), r.out());
  }

  @Test
  void aPlantedDifferenceIsFoundAtItsStep() throws Exception {
    Path a = train("a");
    Path b = dir.resolve("b");
    Files.createDirectories(b);
    for (String f : new String[] {"config.json", "summary.json"}) {
      Files.copy(a.resolve(f), b.resolve(f));
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(a.resolve("steps.jsonl")));
    com.fasterxml.jackson.databind.node.ObjectNode line =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(lines.get(17));
    line.put("w", Math.nextUp(line.get("w").asDouble())); // one ulp
    lines.set(17, Json.MAPPER.writeValueAsString(line));
    Files.write(b.resolve("steps.jsonl"), lines);
    Runs.Result r = Runs.run("inspect", a.toString(), b.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.out().startsWith("first difference at step 17\n"), r.out());
    assertTrue(r.out().contains("  w:"), r.out());
    assertTrue(r.out().contains("no option differs"), r.out());
  }

  @Test
  void differentOptionsAreNamedWithTheFirstDifference() throws Exception {
    Path a = train("a");
    Path b = train("b", "--learning-rate", "0.02");
    Runs.Result r = Runs.run("inspect", a.toString(), b.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.out().startsWith("first difference at step 0\n"), r.out());
    assertTrue(r.out().contains("option learning_rate: 0.01  vs  0.02"), r.out());
  }

  @Test
  void aTruncatedLastLineIsToleratedWithAWarning() throws Exception {
    Path a = train("a");
    String text = Files.readString(a.resolve("steps.jsonl"));
    Files.writeString(a.resolve("steps.jsonl"), text.substring(0, text.length() - 20));
    Runs.Result r = Runs.run("inspect", a.toString(), "--format", "json");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.err().contains("last line is incomplete"), r.err());
  }

  @Test
  void aDirectoryThatIsNotARunGetsExitCodeTwo() throws Exception {
    Runs.Result r = Runs.run("inspect", dir.toString());
    assertEquals(2, r.exitCode());
    assertEquals("inspect: " + dir + ": not a run directory (no config.json)\n", r.err());
  }

  @Test
  void aClassifierRunIsSummarisedPlottedAndComparedWithoutWAndB() throws Exception {
    Path a = dir.resolve("softmax-a");
    Path b = dir.resolve("softmax-b");
    String[] job = {"--model", "softmax", "--steps", "30", "--learning-rate", "0.5"};
    assertEquals(0, Runs.run(Stream.concat(Stream.of(job), Stream.of("--run-dir", a.toString(),
        "--workers", "1")).toArray(String[]::new)).exitCode());
    assertEquals(0, Runs.run(Stream.concat(Stream.of(job), Stream.of("--run-dir", b.toString(),
        "--workers", "5")).toArray(String[]::new)).exitCode());
    Runs.Result text = Runs.run("inspect", a.toString());
    assertEquals(0, text.exitCode(), text.err());
    JsonNode summary = Runs.summary(a);
    assertTrue(text.out().contains("accuracy:       " + summary.get("accuracy")), text.out());
    assertTrue(text.out().contains("w:              [1, 3], norm "), text.out());
    assertTrue(!text.out().contains("null"), text.out());
    Path png = dir.resolve("softmax.png");
    Runs.Result plot = Runs.run("inspect", a.toString(), "--plot", png.toString());
    assertEquals(0, plot.exitCode(), plot.err());
    assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
    Runs.Result same = Runs.run("inspect", a.toString(), b.toString());
    assertEquals(0, same.exitCode(), same.out());
    assertTrue(same.out().startsWith("identical (30 logged steps in common"), same.out());
  }
}
