package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --validate-every K} (issue 26 item 2): the validation split is evaluated before every
 * K-th update mid-epoch, and the step's line carries its {@code val_loss}, which is the mean
 * loss over the validation samples at the parameters of the line before (computed here in a
 * plain loop); the same bits for 1 and 3 workers and across a resume; bad values one line.
 */
class ValidateEveryTest {

  private static final int N = 203;
  private static final int TRAIN = 162; // floor(203 · 0.8)

  @TempDir
  Path dir;

  private static final NoisyLine DATA = NoisyLine.of(N, 5);
  private static final double[] X = DATA.x();
  private static final double[] Y = DATA.y();

  private Path csv() throws Exception {
    return DATA.csv(dir);
  }

  private String[] job(Path data, Path run, String... more) {
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--features", "x",
        "--target", "y", "--learning-rate", "0.05", "--chunk-size", "16", "--init-w", "0",
        "--init-b", "0", "--batch-size", "32", "--validation-split", "0.2", "--validate-every",
        "4", "--run-dir", run.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static List<JsonNode> lines(Path run) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      out.add(Json.MAPPER.readTree(line));
    }
    return out;
  }

  /** A line without its timing and workers: every number the contract promises. */
  private static String numbers(JsonNode n) {
    return n.get("step") + " " + n.get("loss") + " " + n.get("w") + " " + n.get("b") + " "
        + n.get("val_loss") + " " + n.get("digest");
  }

  @Test
  void everyFourthStepsLineCarriesTheValidationLossAtTheParametersBeforeIt() throws Exception {
    Path data = csv();
    Path one = dir.resolve("one");
    Runs.Result r = Runs.run(job(data, one, "--epochs", "3"));
    assertEquals(0, r.exitCode(), r.err());
    List<JsonNode> steps = lines(one);
    assertEquals(18, steps.size()); // 6 batches an epoch
    List<Long> validated = new ArrayList<>();
    for (int k = 0; k < steps.size(); k++) {
      JsonNode n = steps.get(k);
      if (!n.has("val_loss")) {
        continue;
      }
      validated.add(n.get("step").asLong());
      double w = steps.get(k - 1).get("w").asDouble();
      double b = steps.get(k - 1).get("b").asDouble();
      double val = 0;
      for (int i = TRAIN; i < N; i++) {
        double err = X[i] * w + b - Y[i];
        val += err * err;
      }
      val /= N - TRAIN;
      assertEquals(val, n.get("val_loss").asDouble(), 1e-12 * val, "val_loss of step " + k);
    }
    // Multiples of 4 that do not start an epoch (an epoch's end validates anyway).
    assertEquals(List.of(4L, 8L, 16L), validated);

    Path three = dir.resolve("three");
    assertEquals(0, Runs.run(job(data, three, "--epochs", "3", "--workers", "3")).exitCode());
    assertEquals(steps.stream().map(ValidateEveryTest::numbers).toList(),
        lines(three).stream().map(ValidateEveryTest::numbers).toList(), "3 workers, bit for bit");

    Path part = dir.resolve("part");
    assertEquals(0, Runs.run(job(data, part, "--epochs", "1")).exitCode());
    Runs.Result resumed = Runs.run("--resume", part.toString(), "--epochs", "3");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(steps.stream().map(ValidateEveryTest::numbers).toList(),
        lines(part).stream().map(ValidateEveryTest::numbers).toList(), "resumed, bit for bit");
  }

  @Test
  void aValidatedStepIsLoggedWhateverLogEvery() throws Exception {
    // s15 user finding 6: with --log-every 100 the validated steps had no line, so their
    // val_loss went nowhere. Now they are logged, with the bits of a --log-every 1 run.
    Path data = csv();
    Path all = dir.resolve("all");
    assertEquals(0, Runs.run(job(data, all, "--epochs", "3")).exitCode());
    Path sparse = dir.resolve("sparse");
    Runs.Result r = Runs.run(job(data, sparse, "--epochs", "3", "--log-every", "100"));
    assertEquals(0, r.exitCode(), r.err());
    List<String> logged = lines(sparse).stream().map(ValidateEveryTest::numbers).toList();
    List<String> expected = lines(all).stream()
        .filter(n -> List.of(0L, 4L, 8L, 16L, 17L).contains(n.get("step").asLong()))
        .map(ValidateEveryTest::numbers).toList();
    assertEquals(expected, logged, "steps 0 and 17 (--log-every, the last) and 4, 8, 16");
    // s15 user finding 8: a run of epochs labels its final loss (not the last epoch's mean).
    Runs.Result inspect = Runs.run("inspect", sparse.toString());
    assertAll(
        () -> assertTrue(r.out().contains("\nFinal loss (all training samples): "), r.out()),
        () -> assertTrue(inspect.out().contains("(all training samples, final parameters)"),
            inspect.out()));
  }

  @Test
  void badValuesAreOneLineAndExitCodeTwo() {
    for (String[] args : List.of(
        new String[] {"--batch-size", "10", "--validate-every", "5"},
        new String[] {"--batch-size", "10", "--validation-split", "0.2", "--validate-every",
            "0"},
        new String[] {"--validate-every", "5"})) {
      Path run = dir.resolve("bad");
      Runs.Result r = Runs.run(Stream.concat(Stream.of(args), Stream.of("--run-dir",
          run.toString())).toArray(String[]::new));
      assertEquals(2, r.exitCode(), r.err());
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains("--validate-every"), r.err());
      assertFalse(r.err().contains("Exception"), r.err());
      assertFalse(Files.exists(run));
    }
  }
}
