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
    Stream<String> steps = List.of(extra).contains("--steps") ? Stream.of()
        : Stream.of("--steps", "40");
    String[] args = Stream.concat(Stream.concat(steps, Stream.of("--run-dir", run.toString())),
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
    // One ulp in params only: the flat w is the linear model's view, readers read params.
    Path b = plant(a, 17, line -> {
      com.fasterxml.jackson.databind.node.ObjectNode params =
          (com.fasterxml.jackson.databind.node.ObjectNode) line.get("params");
      params.put("w", Math.nextUp(params.get("w").asDouble()));
    });
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
    assertTrue(r.out().contains("options that differ:\n  option learning_rate: 0.01  vs  0.02"),
        r.out());
    // The data's fields are named as data, not as options (a new user's reading, 2026-12-07).
    Path c = train("c", "--examples", "1200");
    Runs.Result d = Runs.run("inspect", a.toString(), c.toString());
    assertTrue(d.out().contains("options and data that differ:\n"), d.out());
    assertTrue(d.out().contains("  data examples: 1000  vs  1200\n"), d.out());
    assertTrue(!d.out().contains("option examples"), d.out());
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
    // A file is named as one (it said "no such directory" of a file that exists).
    Path file = Files.writeString(dir.resolve("clean.csv"), "x,y\n1,2\n");
    Runs.Result onFile = Runs.run("inspect", file.toString());
    assertEquals(2, onFile.exitCode());
    assertEquals("inspect: " + file + ": a file, not a run directory\n", onFile.err());
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
    // The table's columns fit the model: its metric, no W and B.
    String header = text.outLines().stream().filter(l -> l.trim().startsWith("step")).findFirst()
        .orElseThrow();
    assertEquals(List.of("step", "loss", "accuracy", "|grad|", "mean", "ms", "max", "ms"),
        List.of(header.trim().split("\\s+")), header);
    List<String> first = List.of(stepRows(text).get(0).trim().split("\\s+"));
    JsonNode line0 = Json.MAPPER.readTree(Files.readAllLines(a.resolve("steps.jsonl")).get(0));
    assertEquals(line0.get("accuracy").asText(), first.get(2), text.out());
    assertEquals(line0.get("grad_norm").asDouble(), Double.parseDouble(first.get(3)),
        1e-5 * line0.get("grad_norm").asDouble());
    Path png = dir.resolve("softmax.png");
    Runs.Result plot = Runs.run("inspect", a.toString(), "--plot", png.toString());
    assertEquals(0, plot.exitCode(), plot.err());
    assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
    Runs.Result same = Runs.run("inspect", a.toString(), b.toString());
    assertEquals(0, same.exitCode(), same.out());
    assertTrue(same.out().startsWith("identical (30 logged steps in common"), same.out());
  }

  private static List<String> stepRows(Runs.Result r) {
    return r.outLines().stream().filter(l -> l.matches("\\s+\\d+\\s+\\d.*")).toList();
  }

  private static List<Long> rowSteps(Runs.Result r) {
    return stepRows(r).stream().map(l -> Long.parseLong(l.trim().split("\\s+")[0])).toList();
  }

  @Test
  void eachRowShowsTheMeanAndTheSlowestStepTimeOfItsInterval() throws Exception {
    Path run = train("a");
    List<String> lines = new ArrayList<>(Files.readAllLines(run.resolve("steps.jsonl")));
    for (int i = 0; i < lines.size(); i++) {
      com.fasterxml.jackson.databind.node.ObjectNode line =
          (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(lines.get(i));
      // 1 ms a step; the first step 50 ms; a checkpoint-like 9 ms at step 25.
      line.put("step_ms", i == 0 ? 50.0 : i == 25 ? 9.0 : 1.0);
      lines.set(i, Json.MAPPER.writeValueAsString(line));
    }
    Files.write(run.resolve("steps.jsonl"), lines);
    Runs.Result r = Runs.run("inspect", run.toString(), "--every", "10");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("(every 10th logged step and the last; mean and max ms: the "
        + "logged steps since the row above)"), r.out());
    List<String> times = stepRows(r).stream().map(l -> {
      String[] cells = l.trim().split("\\s+");
      return cells[0] + " " + cells[cells.length - 2] + " " + cells[cells.length - 1];
    }).toList();
    // Row 30 covers steps 21..30: nine of 1 ms and one of 9 ms.
    assertEquals(List.of("0 50.000 50.000", "10 1.000 1.000", "20 1.000 1.000",
        "30 1.800 9.000", "39 1.000 1.000"), times, r.out());
  }

  @Test
  void everyKIsEveryKthLoggedStepAndTheDefaultKKeepsToTwentyRows() throws Exception {
    Path run = train("a", "--steps", "300", "--log-every", "10");
    List<Long> logged = Runs.steps(run).stream().map(Runs.Step::step).toList();
    for (int k : new int[] {1, 4, 40}) {
      Runs.Result r = Runs.run("inspect", run.toString(), "--every", "" + k);
      assertEquals(0, r.exitCode(), r.err());
      assertEquals(everyKth(logged, k), rowSteps(r), "--every " + k + ":\n" + r.out());
    }
    // Default: the smallest of 1, 2, 5 x 10^k with at most 20 rows before the last.
    int n = logged.size();
    long k = 1;
    for (long decade = 1; ; decade *= 10) {
      long[] candidates = {decade, 2 * decade, 5 * decade};
      long found = 0;
      for (long c : candidates) {
        if ((n + c - 1) / c <= 20) {
          found = c;
          break;
        }
      }
      if (found > 0) {
        k = found;
        break;
      }
    }
    Runs.Result r = Runs.run("inspect", run.toString());
    assertEquals(everyKth(logged, (int) k), rowSteps(r), r.out());
    assertTrue(r.out().contains("(every " + k + (k == 2 ? "nd" : "th") + " logged step"),
        r.out());
  }

  /** The steps of lines 0, k, 2k, ... and of the last line. */
  private static List<Long> everyKth(List<Long> logged, int k) {
    List<Long> rows = new ArrayList<>();
    for (int i = 0; i < logged.size(); i += k) {
      rows.add(logged.get(i));
    }
    if ((logged.size() - 1) % k != 0) {
      rows.add(logged.get(logged.size() - 1));
    }
    return rows;
  }

  @Test
  void aLogOfTheOldFormatWithOnlyFlatFieldsReadsAsTodaysDoes() throws Exception {
    Path a = train("a");
    // Lines as linear runs wrote them before params: w, b, grad_w, grad_b only.
    List<String> lines = new ArrayList<>();
    for (String text : Files.readAllLines(a.resolve("steps.jsonl"))) {
      com.fasterxml.jackson.databind.node.ObjectNode line =
          (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(text);
      line.remove(List.of("params", "grad_norm"));
      lines.add(Json.MAPPER.writeValueAsString(line));
    }
    Path old = withLog(a, "old", lines);
    Runs.Result same = Runs.run("inspect", a.toString(), old.toString());
    assertEquals(0, same.exitCode(), same.out());
    assertTrue(same.out().startsWith("identical (40 logged steps in common"), same.out());
    Runs.Result today = Runs.run("inspect", a.toString(), "--every", "7");
    Runs.Result before = Runs.run("inspect", old.toString(), "--every", "7");
    List<String> expected = stepRows(today).stream().map(InspectTest::withoutTimes).toList();
    assertEquals(expected, stepRows(before).stream().map(InspectTest::withoutTimes).toList());
    assertTrue(expected.get(0).contains(" " + Runs.steps(a).get(0).w() + " "), today.out());

    com.fasterxml.jackson.databind.node.ObjectNode line =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(lines.get(23));
    line.put("b", Math.nextDown(line.get("b").asDouble()));
    lines.set(23, Json.MAPPER.writeValueAsString(line));
    Files.write(old.resolve("steps.jsonl"), lines);
    Runs.Result differs = Runs.run("inspect", a.toString(), old.toString());
    assertEquals(1, differs.exitCode());
    assertTrue(differs.out().startsWith("first difference at step 23\n  b:"), differs.out());
  }

  private static String withoutTimes(String row) {
    String[] cells = row.trim().split("\\s+");
    return String.join(" ", java.util.Arrays.copyOf(cells, cells.length - 2));
  }

  @Test
  void aGapTheDiffReachesMakesTheRunsNotComparable() throws Exception {
    Path a = train("a");
    List<String> lines = new ArrayList<>(Files.readAllLines(a.resolve("steps.jsonl")));
    lines.remove(20); // lost, and recorded nowhere: only the prev chain shows it
    Path b = withLog(a, "b", lines);
    Runs.Result r = Runs.run("inspect", a.toString(), b.toString());
    assertEquals(1, r.exitCode(), r.out());
    assertEquals("not comparable: " + b + "/steps.jsonl has a gap: logged steps after 19 "
        + "through 20 are missing\n", r.out());
  }

  @Test
  void modelParametersAreComparedByValueOrByNormForALargeModel() throws Exception {
    // 2 features, 4 hidden units, 3 classes: 27 values, logged as params.
    Path small = train("small", "--model", "mlp", "--hidden", "4", "--classes", "3",
        "--true-w", "1,-1", "--steps", "6");
    Path smallB = plant(small, 3, line -> {
      com.fasterxml.jackson.databind.node.ArrayNode row =
          (com.fasterxml.jackson.databind.node.ArrayNode) line.get("params").get("w1").get(1);
      row.set(2, Math.nextUp(row.get(2).asDouble()));
    });
    Runs.Result r = Runs.run("inspect", small.toString(), smallB.toString());
    assertEquals(1, r.exitCode(), r.out());
    assertTrue(r.out().startsWith("first difference at step 3\n  w1[1][2]: "), r.out());
    // 64 hidden units: 193 values, logged as their norms.
    Path large = train("large", "--model", "mlp", "--hidden", "64", "--steps", "6");
    assertTrue(Files.readAllLines(large.resolve("steps.jsonl")).get(0).contains("param_norms"));
    Path largeB = plant(large, 4, line -> {
      com.fasterxml.jackson.databind.node.ObjectNode norms =
          (com.fasterxml.jackson.databind.node.ObjectNode) line.get("param_norms");
      norms.put("b2", Math.nextUp(norms.get("b2").asDouble()));
    });
    r = Runs.run("inspect", large.toString(), largeB.toString());
    assertEquals(1, r.exitCode(), r.out());
    assertTrue(r.out().startsWith("first difference at step 4\n  norm of b2: "), r.out());
  }

  /** A copy of {@code run} whose line {@code index} is changed by {@code change}. */
  private Path plant(Path run, int index,
      java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> change)
      throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(run.resolve("steps.jsonl")));
    com.fasterxml.jackson.databind.node.ObjectNode line =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(lines.get(index));
    change.accept(line);
    lines.set(index, Json.MAPPER.writeValueAsString(line));
    return withLog(run, run.getFileName() + "-planted", lines);
  }

  /** A run {@code name} with {@code run}'s config and summary and the log {@code lines}. */
  private Path withLog(Path run, String name, List<String> lines) throws Exception {
    Path copy = Runs.copyOf(run, dir.resolve(name), "config.json", "summary.json");
    Files.write(copy.resolve("steps.jsonl"), lines);
    return copy;
  }
}
