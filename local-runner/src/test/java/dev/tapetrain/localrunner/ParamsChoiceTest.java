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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict}/{@code export --params best|last} (issue 26 item 3): after a run with
 * {@code --restore-best} whose best epoch is not its last, {@code best} scores with the
 * parameters the epoch lines name as best (Keras' rule over {@code val_loss}), {@code last} with
 * those after the last update, the default with the run's final (best) ones; {@code best} of a
 * run that kept none, or another word, is one line and exit code 2.
 */
class ParamsChoiceTest {

  private static final int N = 203;
  private static final int STEPS_PER_EPOCH = 6; // ceil(162 / 32)
  private static final double MIN_DELTA = 0.002;

  @TempDir
  static Path dir;

  private static Path best;
  private static Path plain;
  private static Path input;

  @BeforeAll
  static void train() throws Exception {
    Random rnd = new Random(11);
    StringBuilder b = new StringBuilder("x,y\n");
    for (int i = 0; i < N; i++) {
      double x = rnd.nextGaussian();
      b.append(x).append(',').append(3 * x + 2 + 0.5 * rnd.nextGaussian()).append('\n');
    }
    Path data = dir.resolve("data.csv");
    Files.writeString(data, b);
    input = dir.resolve("score.csv");
    Files.writeString(input, "x\n2\n");
    best = dir.resolve("best");
    plain = dir.resolve("plain");
    List<String> job = List.of("--data", data.toString(), "--features", "x", "--target", "y",
        "--learning-rate", "0.05", "--chunk-size", "16", "--init-w", "0", "--init-b", "0",
        "--batch-size", "32", "--validation-split", "0.2");
    Runs.Result r = Runs.run(concat(job, "--epochs", "12", "--restore-best", "--min-delta", "" + MIN_DELTA,
        "--run-dir", best.toString()));
    assertEquals(0, r.exitCode(), r.err());
    r = Runs.run(concat(job, "--epochs", "1", "--run-dir", plain.toString()));
    assertEquals(0, r.exitCode(), r.err());
  }

  private static String[] concat(List<String> a, String... more) {
    return java.util.stream.Stream.concat(a.stream(), java.util.stream.Stream.of(more))
        .toArray(String[]::new);
  }

  /** The prediction at x = 2 with the run's parameters {@code which} (null: default). */
  private static double predict(Path run, String which) {
    Runs.Result r = which == null ? Runs.run("predict", run.toString(), "--data",
        input.toString()) : Runs.run("predict", run.toString(), "--data", input.toString(),
        "--params", which);
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("prediction", r.outLines().get(0));
    return Double.parseDouble(r.outLines().get(1));
  }

  /** w and b of steps.jsonl's line for {@code step}. */
  private static double[] paramsAfter(Path run, long step) throws Exception {
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(line);
      if (n.get("step").asLong() == step) {
        return new double[] {n.get("w").asDouble(), n.get("b").asDouble()};
      }
    }
    throw new AssertionError("no step " + step);
  }

  @Test
  void bestAndLastScoreWithTheBestEpochsAndTheLastUpdatesParameters() throws Exception {
    int bestEpoch = 0;
    double bestLoss = Double.POSITIVE_INFINITY;
    List<String> epochs = Files.readAllLines(best.resolve("epochs.jsonl"));
    for (String line : epochs) {
      JsonNode n = Json.MAPPER.readTree(line);
      if (n.get("val_loss").asDouble() + MIN_DELTA < bestLoss) {
        bestLoss = n.get("val_loss").asDouble();
        bestEpoch = n.get("epoch").asInt();
      }
    }
    assertTrue(bestEpoch < epochs.size(), "the best epoch is not the last here: " + bestEpoch);
    double[] b = paramsAfter(best, (long) bestEpoch * STEPS_PER_EPOCH - 1);
    double[] l = paramsAfter(best, (long) epochs.size() * STEPS_PER_EPOCH - 1);
    double wantBest = 2 * b[0] + b[1];
    double wantLast = 2 * l[0] + l[1];
    assertNotEquals(wantBest, wantLast);
    assertEquals(wantBest, predict(best, "best"), 1e-12 * Math.abs(wantBest), "best");
    assertEquals(wantLast, predict(best, "last"), 1e-12 * Math.abs(wantLast), "last");
    assertEquals(wantBest, predict(best, null), 1e-12 * Math.abs(wantBest),
        "default: the run's final parameters, the best after --restore-best");

    Path onnx = dir.resolve("best.onnx");
    Runs.Result r = Runs.run("export", best.toString(), "--onnx", onnx.toString(), "--params",
        "last");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.size(onnx) > 0);
    assertEquals(Long.toString(epochs.size() * STEPS_PER_EPOCH), onnxStep(onnx));

    // The best epoch's parameters are labelled with its last step, not the run's last one.
    long bestSteps = (long) bestEpoch * STEPS_PER_EPOCH;
    r = Runs.run("export", best.toString(), "--onnx", onnx.toString(), "--params", "best");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("(step " + bestSteps + ", end of the best epoch " + bestEpoch
        + ", float64"), r.out());
    assertEquals(Long.toString(bestSteps), onnxStep(onnx));
  }

  /** The {@code step} of an ONNX file's metadata. */
  private static String onnxStep(Path onnx) throws Exception {
    return dev.tapetrain.models.onnx.proto.ModelProto.parseFrom(Files.readAllBytes(onnx))
        .getMetadataPropsList().stream().filter(p -> p.getKey().equals("step"))
        .findFirst().orElseThrow().getValue();
  }

  @Test
  void bestOfARunWithoutOneOrAnotherWordIsOneLineAndExitCodeTwo() {
    double last = predict(plain, "last");
    assertEquals(predict(plain, null), last, "without --restore-best, last is the default");
    for (String[] args : List.of(
        new String[] {"predict", plain.toString(), "--data", input.toString(), "--params",
            "best"},
        new String[] {"export", plain.toString(), "--onnx", dir.resolve("x.onnx").toString(),
            "--params", "best"})) {
      Runs.Result r = Runs.run(args);
      assertEquals(2, r.exitCode(), r.err());
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains("--params best: run " + plain + " kept no best parameters"),
          r.err());
      assertFalse(r.err().contains("Exception"), r.err());
    }
    Runs.Result r = Runs.run("predict", best.toString(), "--data", input.toString(),
        "--params", "middle");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--params must be best or last, got 'middle'"), r.err());
    assertFalse(Files.exists(dir.resolve("x.onnx")));
  }
}
