package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Numerics version 2 (the tape's own {@code exp}, {@code tanh} and {@code sigmoid}, issue 27):
 * a run of a model that computes them, made with version 1 (StrictMath's bits; no version in
 * its checkpoint), is refused by {@code --resume}, and by {@code --resume-if-exists} with its
 * command line, in one line naming both versions, and left as it was; a new run records
 * version 2. The regenerated golden runs of version 2 agree with
 * their version-1 originals, computed with StrictMath's functions, to 1e-12 relative at every
 * logged step: the new numbers differ in the last digits only.
 */
class NumericsVersionTest {

  /** Relative agreement of numerics 2 with StrictMath's numbers (1.7e-13 seen after 120 steps). */
  static final double AGREEMENT = 1e-12;

  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({"softmax-run-2026-12-02", "mlp-momentum-run-2026-12-06"})
  void aRunOfNumericsVersionOneIsRefusedInOneLineNamingBothVersions(String fixture)
      throws Exception {
    Path run = Runs.goldenRun(fixture, dir);
    Map<String, String> before = contents(run);
    Runs.Result r = Runs.run("--resume", run.toString(), "--steps", "200");
    assertEquals(2, r.exitCode(), r.err());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), r.err());
    assertTrue(lines.get(0).contains("--resume " + run + ": the run was computed with numerics"
        + " version 1, this build computes with numerics version 2"), lines.get(0));
    assertEquals(before, contents(run), "the refused run is left as it was");
  }

  /**
   * {@code --run-dir DIR --resume-if-exists} with the command line of the version-1 run in DIR
   * (the same options, a higher step count) is refused in the same line as {@code --resume}:
   * neither "another run" (it is the same run) nor "continue it with --resume" (which refuses
   * it). The softmax fixture's checkpoint predates the recorded numbers, the MLP's has them.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "softmax-run-2026-12-02 | --model softmax --classes 3 --learning-rate 0.5",
      "mlp-momentum-run-2026-12-06 | --model mlp --classes 3 --hidden 4 --true-w 1,-1"
          + " --learning-rate 0.3 --optimizer momentum"})
  void resumeIfExistsRefusesARunOfNumericsVersionOneInTheSameLine(String fixture, String options)
      throws Exception {
    Path run = Runs.goldenRun(fixture, dir);
    Map<String, String> before = contents(run);
    List<String> args = new ArrayList<>(List.of(options.split(" ")));
    args.addAll(List.of("--workers", "4", "--steps", "200", "--chunk-size", "64", "--log-every",
        "10", "--checkpoint-every", "50", "--run-dir", run.toString(), "--resume-if-exists"));
    Runs.Result r = Runs.run(args.toArray(String[]::new));
    assertEquals(2, r.exitCode(), r.err());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), r.err());
    assertTrue(lines.get(0).contains("--run-dir " + run + ": the run was computed with numerics"
        + " version 1, this build computes with numerics version 2"), lines.get(0));
    assertEquals(before, contents(run), "the refused run is left as it was");
  }

  /**
   * The refusal above is for the same run only: a command line with other options still hears
   * that DIR holds another run.
   */
  @Test
  void resumeIfExistsStillRefusesAnotherRunOfNumericsVersionOneAsAnotherRun() throws Exception {
    Path run = Runs.goldenRun("mlp-momentum-run-2026-12-06", dir);
    Runs.Result r = Runs.run("--model", "mlp", "--classes", "3", "--hidden", "4", "--true-w",
        "1,-1", "--learning-rate", "0.25", "--optimizer", "momentum", "--workers", "4",
        "--steps", "200", "--chunk-size", "64", "--log-every", "10", "--checkpoint-every", "50",
        "--run-dir", run.toString(), "--resume-if-exists");
    Runs.assertRefused(r, "--run-dir " + run + " holds another run", dir.resolve("none"));
  }

  @ParameterizedTest
  @CsvSource({"softmax-run-2026-12-02, softmax-run-2026-12-06-numerics-2",
      "mlp-momentum-run-2026-12-06, mlp-momentum-run-2026-12-06-numerics-2"})
  void theRegeneratedRunsAgreeWithTheirStrictMathOriginals(String strict, String regenerated)
      throws Exception {
    List<String> a = Files.readAllLines(Runs.goldenRun(strict, dir).resolve("steps.jsonl"));
    List<String> b = Files.readAllLines(Runs.goldenRun(regenerated, dir).resolve("steps.jsonl"));
    assertEquals(a.size(), b.size());
    boolean anyBitMoved = false;
    for (int i = 0; i < a.size(); i++) {
      JsonNode x = Json.MAPPER.readTree(a.get(i));
      JsonNode y = Json.MAPPER.readTree(b.get(i));
      assertEquals(x.get("step"), y.get("step"));
      anyBitMoved |= assertAgree(x, y, regenerated);
    }
    assertTrue(anyBitMoved, "version 2 moved no bit: is this still version 1?");
  }

  @Test
  void aNewRunRecordsItsNumericsVersion() throws Exception {
    JsonNode config = Json.MAPPER.readTree(
        Runs.goldenRun("softmax-run-2026-12-06-numerics-2", dir).resolve("config.json").toFile());
    assertEquals(2, config.path("versions").path("numerics").asInt());
  }

  /**
   * Asserts that the loss, gradient norm and every parameter of two steps.jsonl lines agree to
   * {@link #AGREEMENT} relative; whether any of them differs at all.
   */
  static boolean assertAgree(JsonNode expected, JsonNode actual, String what) {
    List<Double> x = numbers(expected);
    List<Double> y = numbers(actual);
    assertEquals(x.size(), y.size(), what);
    boolean differ = false;
    for (int i = 0; i < x.size(); i++) {
      double u = x.get(i);
      double v = y.get(i);
      differ |= Double.compare(u, v) != 0;
      assertTrue(Math.abs(u - v) <= AGREEMENT * Math.max(Math.abs(u), Math.abs(v)),
          what + " step " + expected.get("step") + ": " + u + " vs " + v);
    }
    return differ;
  }

  private static List<Double> numbers(JsonNode step) {
    List<Double> out = new ArrayList<>();
    out.add(Json.number(step.get("loss")));
    out.add(Json.number(step.get("grad_norm")));
    collect(step.get("params"), out);
    return out;
  }

  private static void collect(JsonNode n, List<Double> out) {
    if (n.isContainerNode()) {
      n.forEach(c -> collect(c, out)); // object fields in their written order
    } else {
      out.add(Json.number(n));
    }
  }

  private static Map<String, String> contents(Path run) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.list(run)) {
      for (Path p : all.toList()) {
        files.put(p.getFileName().toString(), java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return files;
  }
}
