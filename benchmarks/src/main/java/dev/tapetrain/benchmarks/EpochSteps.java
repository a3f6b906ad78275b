package dev.tapetrain.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where an epoch's time went, from its run's {@code steps.jsonl} (each step's {@code step_ms},
 * the wall time since the round before, and each worker's {@code compute_ms}): the
 * {@link #WARM_UP} first steps; the rest as its median step times their count (the floor) plus
 * what the steps above the median add (the tail), apart from the steps that follow a periodic
 * checkpoint (config.json's {@code checkpoint_every}); the slowest worker's compute summed over all
 * steps; and what {@code train_seconds} holds beyond the steps (the passes over every sample).
 * Needs every step logged ({@code --log-every 1}, the default).
 *
 * @param warmUpSeconds the first {@link #WARM_UP} steps
 * @param medianMs      the median step after them
 * @param p90Ms         the 90th percentile step after them
 * @param floorSeconds  the median times the steps after them
 * @param tailSeconds   the steps after them above their median, checkpoints' followers apart
 * @param checkpointSeconds what the steps after a checkpoint took beyond the median
 * @param computeSeconds the slowest worker's compute, summed over every step
 * @param passesSeconds {@code train_seconds} beyond every step's time
 */
record EpochSteps(double warmUpSeconds, double medianMs, double p90Ms, double floorSeconds,
    double tailSeconds, double checkpointSeconds, double computeSeconds, double passesSeconds) {

  /** Steps counted as the warm-up (JIT of three JVMs, the eager tape before compiling). */
  static final int WARM_UP = 500;

  /** The account of {@code run}, a run directory. */
  static EpochSteps of(Path run) throws IOException {
    long every = Json.MAPPER.readTree(run.resolve("config.json").toFile()).path("options")
        .path("checkpoint_every").asLong(100);
    List<double[]> steps = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode s = Json.MAPPER.readTree(line);
      double compute = 0;
      for (JsonNode w : s.path("workers")) {
        compute = Math.max(compute, w.path("compute_ms").asDouble());
      }
      steps.add(new double[] {s.get("step").asDouble(), s.get("step_ms").asDouble(), compute});
    }
    double train = Json.MAPPER.readTree(run.resolve("summary.json").toFile())
        .get("train_seconds").asDouble();
    double all = 0;
    double warm = 0;
    double compute = 0;
    List<Double> rest = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      double[] s = steps.get(i);
      all += s[1];
      compute += s[2];
      if (i < WARM_UP) {
        warm += s[1];
      } else {
        rest.add(s[1]);
      }
    }
    double[] sorted = rest.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    double median = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    double p90 = sorted.length == 0 ? 0 : sorted[(int) (sorted.length * 0.9)];
    double checkpoint = 0;
    double restSum = 0;
    for (int i = WARM_UP; i < steps.size(); i++) {
      double[] s = steps.get(i);
      restSum += s[1];
      // Step k·every + 1's round came after the checkpoint of update k·every: it waited for
      // the write (or, queued, did not).
      if (every > 1 && ((long) s[0]) % every == 1) {
        checkpoint += s[1] - median;
      }
    }
    double floor = median * sorted.length;
    return new EpochSteps(warm / 1000, median, p90, floor / 1000,
        (restSum - floor - checkpoint) / 1000, checkpoint / 1000, compute / 1000,
        train - all / 1000);
  }

  /** One line: the parts in seconds, the median and 90th percentile step in ms. */
  String line() {
    return String.format(Locale.ROOT, "first %d steps %.1f s; then median %.2f ms, p90 %.2f ms:"
        + " floor %.1f s + tail %.1f s + after checkpoints %.2f s; slowest worker's compute"
        + " %.1f s; passes over every sample %.1f s", WARM_UP, warmUpSeconds, medianMs, p90Ms,
        floorSeconds, tailSeconds, checkpointSeconds, computeSeconds, passesSeconds);
  }
}
