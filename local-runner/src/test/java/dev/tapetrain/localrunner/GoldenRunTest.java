package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Run directories written by older code (src/test/resources/golden: 120 steps, checkpoint at
 * the end; of 2026-12-02, and of 2026-12-06 before the code was reshaped into the tape, models
 * and worker modules) still resume with today's code, to exactly the bits of one uninterrupted
 * run of 200 steps, and still inspect and predict. If a change to the checkpoint, the config or
 * the digest breaks old runs, this fails. The softmax and MLP runs are those of numerics version
 * 2 (regenerated with the same options; their version-1 originals are refused, and agree with
 * them to 1e-12: {@link NumericsVersionTest}); the linear runs are the originals.
 */
class GoldenRunTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({
      "linear-run-2026-12-02, ''",
      "softmax-run-2026-12-06-numerics-2, '--model softmax --classes 3 --learning-rate 0.5'",
      "mlp-momentum-run-2026-12-06-numerics-2, '--model mlp --hidden 4 --classes 3 --true-w 1,-1 "
          + "--optimizer momentum --learning-rate 0.3'",
      "linear-adam-run-2026-12-06, '--true-w 1,2,3 --init-w 0 --optimizer adam "
          + "--learning-rate 0.1'"})
  void anOldRunResumesToTheBitsOfAnUninterruptedOne(String fixture, String options)
      throws Exception {
    Path run = fixture(fixture);
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--steps", "200");
    assertEquals(0, resumed.exitCode(), resumed.err());
    Path reference = dir.resolve("reference");
    List<String> args = new java.util.ArrayList<>(List.of("--steps", "200", "--checkpoint-every",
        "50", "--log-every", "10", "--run-dir", reference.toString()));
    if (!options.isEmpty()) {
      args.addAll(List.of(options.split(" ")));
    }
    assertEquals(0, Runs.run(args.toArray(String[]::new)).exitCode());
    // The old run also logged its last step (119); every step both logged is compared.
    List<Runs.Step> expected = Runs.steps(reference);
    assertEquals(expected, Runs.sameStepsAs(expected, Runs.steps(run)),
        "every logged step, bit for bit");
    assertEquals(Runs.summary(reference).get("params"), Runs.summary(run).get("params"));
  }

  @ParameterizedTest
  @CsvSource({
      "linear-run-2026-12-02, '', 1",
      "softmax-run-2026-12-06-numerics-2, '--model softmax --classes 3 --learning-rate 0.5', 1",
      "mlp-momentum-run-2026-12-06-numerics-2, '--model mlp --hidden 4 --classes 3 "
          + "--true-w 1,-1 --optimizer momentum --learning-rate 0.3', 2",
      "linear-adam-run-2026-12-06, '--true-w 1,2,3 --init-w 0 --optimizer adam "
          + "--learning-rate 0.1', 3"})
  void anOldRunInspectsAndPredictsAsTheSameRunMadeToday(String fixture, String options,
      int features) throws Exception {
    Path old = fixture(fixture);
    Path today = dir.resolve("today");
    List<String> args = new java.util.ArrayList<>(List.of("--steps", "120", "--checkpoint-every",
        "50", "--log-every", "10", "--run-dir", today.toString()));
    if (!options.isEmpty()) {
      args.addAll(List.of(options.split(" ")));
    }
    assertEquals(0, Runs.run(args.toArray(String[]::new)).exitCode());

    Runs.Result inspected = Runs.run("inspect", old.toString());
    assertEquals(0, inspected.exitCode(), inspected.err());
    String finalLoss = Runs.summary(today).get("loss").asText();
    assertTrue(inspected.out().contains("completed"), inspected.out());
    assertTrue(inspected.out().contains(finalLoss.substring(0, 8)), inspected.out());

    // New rows, scored by the old run's model and by today's run of the same options.
    StringBuilder csv = new StringBuilder(features == 1 ? "x" : "x1");
    for (int f = 2; f <= features; f++) {
      csv.append(",x").append(f);
    }
    csv.append('\n');
    for (int i = 0; i < 25; i++) {
      for (int f = 0; f < features; f++) {
        csv.append(f > 0 ? "," : "").append((i * 0.37 + f) % 3 - 1.5);
      }
      csv.append('\n');
    }
    Path rows = dir.resolve("rows.csv");
    Files.writeString(rows, csv);
    Path fromOld = dir.resolve("old.csv");
    Path fromToday = dir.resolve("today.csv");
    Runs.Result p1 = Runs.run("predict", old.toString(), "--data", rows.toString(), "--out",
        fromOld.toString());
    assertEquals(0, p1.exitCode(), p1.err());
    assertEquals(0, Runs.run("predict", today.toString(), "--data", rows.toString(), "--out",
        fromToday.toString()).exitCode());
    assertEquals(Files.readAllLines(fromToday), Files.readAllLines(fromOld));
  }

  private Path fixture(String name) throws IOException {
    return Runs.goldenRun(name, dir);
  }
}
