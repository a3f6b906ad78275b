package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-file claim of each extension point (issue 24): a model with its own setting
 * ({@code com.example.HuberRegression}, {@code --set delta}), an optimizer
 * ({@code com.example.ClippedSgd}, {@code --set clip}) and an input format
 * ({@code com.example.TsvFormat}), each one class plus a line in {@code META-INF/services},
 * trained end to end here and checked against an independent computation: a plain loop of the
 * same math (relative 1e-12), or the same data read as CSV (bit for bit).
 */
class PluginsTest {

  private static final int N = 300;

  @TempDir
  Path dir;

  private double[] xs;
  private double[] ys;

  /** y = 2x + 1 + noise with an outlier every 20th row, as CSV and as TSV. */
  private Path data(String extension) throws Exception {
    Random rnd = new Random(23);
    xs = new double[N];
    ys = new double[N];
    String sep = extension.equals("tsv") ? "\t" : ",";
    StringBuilder s = new StringBuilder("x" + sep + "y\n");
    for (int i = 0; i < N; i++) {
      xs[i] = rnd.nextGaussian();
      ys[i] = 2 * xs[i] + 1 + 0.3 * rnd.nextGaussian() + (i % 20 == 0 ? 25 : 0);
      s.append(xs[i]).append(sep).append(ys[i]).append('\n');
    }
    Path p = dir.resolve("data." + extension);
    Files.writeString(p, s);
    return p;
  }

  @Test
  void aUsersModelWithASettingOfItsOwnTrainsAsAPlainLoopOfIt() throws Exception {
    Path csv = data("csv");
    double lr = 0.1;
    int steps = 40;
    double delta = 0.5;
    Path run = dir.resolve("huber");
    Runs.Result r = Runs.run("--model", "huber", "--set", "delta=" + delta, "--data",
        csv.toString(), "--steps", "" + steps, "--learning-rate", "" + lr, "--workers", "3",
        "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    double w = 0;
    double b = 0;
    for (int s = 0; s < steps; s++) {
      double gw = 0;
      double gb = 0;
      for (int i = 0; i < N; i++) {
        double g = Math.max(-delta, Math.min(delta, w * xs[i] + b - ys[i])); // Huber's slope
        gw += g * xs[i] / N;
        gb += g / N;
      }
      w -= lr * gw;
      b -= lr * gb;
    }
    JsonNode params = Runs.summary(run).get("params");
    assertEquals(w, Json.number(params.get("w").get(0)), 1e-12 * Math.abs(w));
    assertEquals(b, Json.number(params.get("b")), 1e-12 * Math.abs(b));
    // The setting is part of the run's record: config.json names it, and it moves the numbers.
    JsonNode options = Json.MAPPER.readTree(run.resolve("config.json").toFile()).get("options");
    assertEquals(delta, options.get("delta").asDouble());
    Path byDefault = dir.resolve("huber-default");
    assertEquals(0, Runs.run("--model", "huber", "--data", csv.toString(), "--steps",
        "" + steps, "--learning-rate", "" + lr, "--run-dir", byDefault.toString()).exitCode());
    assertNotEquals(Runs.summary(run).get("params"), Runs.summary(byDefault).get("params"));
  }

  @Test
  void aUsersOptimizerTrainsAsAPlainLoopOfIt() throws Exception {
    Path csv = data("csv");
    double lr = 0.05;
    int steps = 30;
    double clip = 0.5;
    Path run = dir.resolve("clipped");
    Runs.Result r = Runs.run("--optimizer", "clipped-sgd", "--set", "clip=" + clip, "--data",
        csv.toString(), "--init-w", "0", "--init-b", "0", "--steps", "" + steps,
        "--learning-rate", "" + lr, "--workers", "2", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    double w = 0;
    double b = 0;
    for (int s = 0; s < steps; s++) {
      double gw = 0;
      double gb = 0;
      for (int i = 0; i < N; i++) {
        double e = w * xs[i] + b - ys[i];
        gw += 2 * e * xs[i] / N;
        gb += 2 * e / N;
      }
      w -= Math.max(-clip, Math.min(clip, gw)) * lr;
      b -= Math.max(-clip, Math.min(clip, gb)) * lr;
    }
    JsonNode summary = Runs.summary(run);
    assertEquals(w, Json.number(summary.get("w")), 1e-12 * Math.abs(w));
    assertEquals(b, Json.number(summary.get("b")), 1e-12 * Math.abs(b));
    JsonNode options = Json.MAPPER.readTree(run.resolve("config.json").toFile()).get("options");
    assertEquals(clip, options.get("optimizer_settings").get("clip").asDouble());
  }

  @Test
  void aUsersInputFormatGivesTheBitsOfTheSameDataAsCsv() throws Exception {
    Path csv = data("csv");
    Path tsv = data("tsv");
    Path fromCsv = dir.resolve("csv");
    Path fromTsv = dir.resolve("tsv");
    assertEquals(0, Runs.run("--data", csv.toString(), "--steps", "25", "--workers", "3",
        "--run-dir", fromCsv.toString()).exitCode());
    Runs.Result r = Runs.run("--data", tsv.toString(), "--steps", "25", "--workers", "2",
        "--run-dir", fromTsv.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(Runs.steps(fromCsv), Runs.steps(fromTsv), "every logged step, bit for bit");
    JsonNode dataset = Json.MAPPER.readTree(fromTsv.resolve("config.json").toFile())
        .get("dataset");
    assertEquals("tsv", dataset.get("kind").asText());
    assertEquals(N, dataset.get("rows").asLong());
  }

  @Test
  void settingsThatDoNotApplyOrShadowAnOptionAreRefusedBeforeAnyRunDirectory() {
    Path run = dir.resolve("never");
    List<String[]> bad = List.of(
        new String[] {"--model", "huber", "--set", "delta=0"},
        new String[] {"--model", "huber", "--set", "gamma=2"},
        new String[] {"--model", "mlp", "--set", "hidden=3"},
        new String[] {"--model", "shadowing"},
        new String[] {"--optimizer", "clipped-sgd", "--momentum", "0.5"});
    List<String> expected = List.of(
        "--set delta must be a finite number > 0, got 0.0",
        "--set gamma: no setting 'gamma' in --model huber, --optimizer sgd, --format synthetic",
        "--set hidden: it is an option of its own; use --hidden",
        "--model: model 'shadowing' on the class path is refused: its setting 'steps' would "
            + "shadow the option --steps",
        "--momentum does not apply to --optimizer clipped-sgd");
    for (int i = 0; i < bad.size(); i++) {
      String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(bad.get(i)),
          java.util.stream.Stream.of("--run-dir", run.toString())).toArray(String[]::new);
      Runs.Result r = Runs.run(args);
      assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().contains(expected.get(i)), r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
      assertFalse(Files.exists(run), "no run directory");
    }
  }
}
