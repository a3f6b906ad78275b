package dev.tapetrain.localrunner.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrainedRun#metrics()} are the metrics at the trained parameters, as summary.json has
 * them — not the last mini-batch's (new-user round, 2026-12-07: the accuracy of 256 samples).
 */
class TrainedRunMetricsTest {

  @TempDir
  Path dir;

  @Test
  void aMiniBatchRunsMetricsAreTheSummarysNotItsLastBatchs() throws Exception {
    Path run = dir.resolve("batches");
    TrainedRun trained = Trainer.builder().model("logistic").learningRate(0.5)
        .option("--batch-size", "64").option("--epochs", "2").runDir(run).build().fit();
    JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
    List<String> lines = Files.readAllLines(run.resolve("steps.jsonl"));
    double lastBatch = Json.MAPPER.readTree(lines.get(lines.size() - 1)).path("accuracy")
        .asDouble();
    assertNotEquals(lastBatch, summary.path("accuracy").asDouble(),
        "the case: the last batch's accuracy is not the trained parameters'");
    assertEquals(Map.of("accuracy", summary.path("accuracy").asDouble()), trained.metrics());
  }
}
