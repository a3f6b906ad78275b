package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Epochs of mini-batches with a validation split across worker JVMs, one killed mid-epoch:
 * its chunks move to the others, and every step, every epoch line and the parameters keep the
 * bits of local-runner on the same job (issue 26). Every process is killed after the test.
 */
class EpochsClusterTest extends ProcessTestBase {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  @Test
  void aWorkerJvmKilledMidEpochChangesNoBit() throws Exception {
    Path data = dir.resolve("data.csv");
    StringBuilder csv = new StringBuilder("a,b,label\n");
    java.util.Random rnd = new java.util.Random(29);
    for (int i = 0; i < 3000; i++) {
      double a = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      double s = a - 0.5 * b + 0.4 * rnd.nextGaussian();
      csv.append(a).append(',').append(b).append(',').append(s < -0.5 ? 0 : s < 0.5 ? 1 : 2)
          .append('\n');
    }
    Files.writeString(data, csv);
    // 2700 training samples in batches of 64: 43 updates an epoch, 430 in all, so the kill
    // (after 20 logged steps) lands in the first epochs.
    String[] job = {"--model", "softmax", "--data", data.toString(), "--features", "a,b",
        "--target", "label", "--learning-rate", "0.3", "--batch-size", "64", "--epochs", "10",
        "--validation-split", "0.1", "--chunk-size", "64"};
    Path local = dir.resolve("local");
    Runs.Result r = Runs.run(concat(job, "--workers", "3", "--run-dir", local.toString()));
    assertEquals(0, r.exitCode(), r.err());

    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = processes.coordinator("coordinator", concat(job, "--port", "" + port,
        "--workers", "3", "--run-dir", run.toString()));
    Process w1 = processes.worker("w1", port);
    processes.worker("w2", port);
    processes.worker("w3", port);
    Processes.await("20 logged steps", RUN_TIMEOUT, () -> Processes.stepLines(run) >= 20);
    Processes.kill9(w1);
    assertEquals(0, Processes.exitCode(coordinator, RUN_TIMEOUT), processes.stderr("coordinator"));

    assertEquals(Runs.steps(local), Runs.sameStepsAs(Runs.steps(local), Runs.steps(run)),
        "every step, bit for bit");
    assertEquals(Files.readAllLines(local.resolve("epochs.jsonl")),
        Files.readAllLines(run.resolve("epochs.jsonl")), "every epoch line, bit for bit");
    assertEquals(Runs.summary(local).get("params"), Runs.summary(run).get("params"));
    assertEquals(Runs.summary(local).get("val_accuracy"), Runs.summary(run).get("val_accuracy"));
    boolean moved = false;
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode events = Json.MAPPER.readTree(line).get("reassignments");
      moved |= events.size() > 0 && events.get(0).get("chunks_moved").asInt() > 0;
    }
    assertTrue(moved, "the killed worker's chunks moved mid-run");
  }
}
