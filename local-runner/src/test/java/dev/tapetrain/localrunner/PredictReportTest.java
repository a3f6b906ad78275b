package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * predict's report names what it scored with (new-user round, 2026-12-07): the step the
 * parameters are from — the best epoch's last step, not the run's, for the best epoch's — and,
 * after a run with --l2, that its loss leaves out the penalty the run's own loss includes.
 */
class PredictReportTest {

  private static final double MIN_DELTA = 0.002;

  @TempDir
  static Path dir;

  private static Path data;
  private static Path score;

  @BeforeAll
  static void data() throws Exception {
    Random rnd = new Random(11);
    StringBuilder b = new StringBuilder("x,y\n");
    for (int i = 0; i < 203; i++) {
      double x = rnd.nextGaussian();
      b.append(x).append(',').append(3 * x + 2 + 0.5 * rnd.nextGaussian()).append('\n');
    }
    data = dir.resolve("data.csv");
    Files.writeString(data, b);
    score = dir.resolve("score.csv");
    Files.writeString(score, "x,y\n1,5\n2,8\n");
  }

  private static Path train(String name, String... extra) {
    Path run = dir.resolve(name);
    String[] args = Stream.concat(Stream.of("--data", data.toString(), "--features", "x",
        "--target", "y", "--run-dir", run.toString()), Stream.of(extra)).toArray(String[]::new);
    Runs.Result r = Runs.run(args);
    assertEquals(0, r.exitCode(), r.err());
    return run;
  }

  /** predict's report lines (on stderr without --out). */
  private static List<String> report(Path run, String... extra) {
    String[] args = Stream.concat(Stream.of("predict", run.toString(), "--data",
        score.toString()), Stream.of(extra)).toArray(String[]::new);
    Runs.Result r = Runs.run(args);
    assertEquals(0, r.exitCode(), r.err());
    return r.err().lines().toList();
  }

  @Test
  void theLossLineSaysItLeavesOutTheL2PenaltyOfARunWithOne() {
    Path l2 = train("l2", "--steps", "10", "--l2", "0.1");
    Path plain = train("plain", "--steps", "10");
    List<String> lines = report(l2);
    assertEquals(2, lines.size(), "one line more than the scored line: " + lines);
    assertTrue(lines.get(1).matches("loss \\S+ \\(mean over the rows of the loss linear trains "
        + "on; without the --l2 0\\.1 penalty the run's loss includes\\)"), lines.get(1));
    lines = report(plain);
    assertTrue(lines.get(1).matches("loss \\S+ \\(mean over the rows of the loss linear trains "
        + "on\\)"), "no note without --l2: " + lines.get(1));
  }

  @Test
  void theLossLineSaysItDoesNotWeighRowsByTheRunsClassWeights() throws Exception {
    // A new user read predict's loss of a --class-weight run as the run's own (2026-12-07):
    // predict's is the plain mean, as Keras' evaluate without sample weights.
    Path cls = dir.resolve("classes.csv");
    StringBuilder b = new StringBuilder("x,y\n");
    for (int i = 0; i < 64; i++) {
      b.append(i % 8).append(',').append(i % 8 >= 6 ? 1 : 0).append('\n');
    }
    Files.writeString(cls, b);
    Path run = dir.resolve("weighted");
    Runs.Result r = Runs.run("--data", cls.toString(), "--features", "x", "--target", "y",
        "--model", "logistic", "--class-weight", "balanced", "--steps", "5", "--run-dir",
        run.toString());
    assertEquals(0, r.exitCode(), r.err());
    Runs.Result p = Runs.run("predict", run.toString(), "--data", cls.toString());
    assertEquals(0, p.exitCode(), p.err());
    String loss = p.err().lines().filter(l -> l.startsWith("loss ")).findFirst().orElseThrow();
    assertTrue(loss.endsWith("trains on; each row weighing 1, where the run's loss weighs rows "
        + "by --class-weight)"), loss);
  }

  @Test
  void bestParametersNameTheBestEpochsStepNotTheRunsLast() throws Exception {
    Path run = train("best", "--learning-rate", "0.05", "--chunk-size", "16", "--init-w", "0",
        "--init-b", "0", "--batch-size", "32", "--validation-split", "0.2", "--epochs", "12",
        "--restore-best", "--min-delta", "" + MIN_DELTA);
    // Keras' rule over val_loss, as ParamsChoiceTest finds the best epoch.
    long bestEpoch = 0;
    long bestSteps = 0;
    long lastSteps = 0;
    double bestLoss = Double.POSITIVE_INFINITY;
    for (String line : Files.readAllLines(run.resolve("epochs.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(line);
      lastSteps = n.get("steps").asLong();
      if (n.get("val_loss").asDouble() + MIN_DELTA < bestLoss) {
        bestLoss = n.get("val_loss").asDouble();
        bestEpoch = n.get("epoch").asLong();
        bestSteps = lastSteps;
      }
    }
    assertTrue(bestSteps < lastSteps, "the best epoch is not the last here");
    String scored = "scored 2 row(s) of " + score + " with linear from " + run;
    String best = scored + " (step " + bestSteps + ", end of the best epoch " + bestEpoch + ")";
    assertEquals(best, report(run, "--params", "best").get(0));
    assertEquals(best, report(run).get(0), "the default is the best after --restore-best");
    assertEquals(scored + " (step " + lastSteps + ")", report(run, "--params", "last").get(0));
  }

  @Test
  void aTargetColumnAskedForButMissingIsRefusedWhereTheRunsOwnMayBeAbsent() throws Exception {
    // A new user's --target nosuch printed predictions and silently no loss (2026-12-07).
    Path run = train("target", "--steps", "3");
    Runs.Result r = Runs.run("predict", run.toString(), "--data", score.toString(), "--target",
        "nosuch");
    assertEquals(2, r.exitCode(), r.err());
    assertEquals("predict: " + score + ": has no column 'nosuch' (--target); without "
        + "--target the training data's target is evaluated when a file has it", r.err().strip());
    assertEquals("", r.out(), "no predictions before the refusal");
    Path noTarget = dir.resolve("features-only.csv");
    Files.writeString(noTarget, "x\n1\n");
    Runs.Result ok = Runs.run("predict", run.toString(), "--data", noTarget.toString());
    assertEquals(0, ok.exitCode(), ok.err());
    assertEquals(1, ok.err().lines().count(), "scored, with no loss line: " + ok.err());
  }

  @Test
  void anOnnxFileMustBeNamedSo() {
    Path run = train("onnx", "--steps", "1");
    Path txt = dir.resolve("model.txt");
    Runs.Result r = Runs.run("export", run.toString(), "--onnx", txt.toString());
    assertEquals(2, r.exitCode(), r.err());
    assertEquals("export: --onnx " + txt + ": the model is written as ONNX; name a .onnx "
        + "file", r.err().strip());
    assertTrue(Files.notExists(txt));
  }
}
