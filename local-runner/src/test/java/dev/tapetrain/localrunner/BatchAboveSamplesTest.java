package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --batch-size B} above the training samples trains as Keras' {@code fit} and PyTorch's
 * {@code DataLoader} do: each epoch is one batch of them all (a new-user round, 2026-12-07: it
 * was refused). Checked independently of the plan's code: its every logged bit equals a run with
 * B equal to the samples, for 1 and 3 workers, also beside a validation split.
 */
class BatchAboveSamplesTest {

  private static final int N = 203;
  private static final NoisyLine DATA = NoisyLine.of(N, 5);

  @TempDir
  Path dir;

  private String[] job(Path data, Path run, String... more) {
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--features", "x",
        "--target", "y", "--learning-rate", "0.1", "--chunk-size", "16", "--epochs", "3",
        "--log-every", "1", "--run-dir", run.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Every logged number of a run: its step lines, its epoch lines, its final parameters. */
  private static String bits(Path run) throws Exception {
    StringBuilder b = new StringBuilder();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(line);
      b.append(n.get("step").asText()).append(' ').append(n.get("loss").asText()).append(' ')
          .append(n.get("w").asText()).append(' ').append(n.get("b").asText()).append(' ')
          .append(n.get("digest").asText()).append('\n');
    }
    b.append(Files.readString(run.resolve("epochs.jsonl")));
    JsonNode summary = Runs.summary(run);
    return b.append(summary.get("params")).append(' ').append(summary.get("loss"))
        .append(' ').append(summary.get("steps")).toString();
  }

  @Test
  void aBatchAboveTheSamplesGivesTheBitsOfOneBatchOfThemAllForAnyWorkers() throws Exception {
    Path data = DATA.csv(dir);
    // 203 samples, and with a split of 0.2 the first 162 train.
    String[][] sides = {{"203", "1000"}, {"162", "500", "--validation-split", "0.2"}};
    for (String[] side : sides) {
      String[] more = java.util.Arrays.copyOfRange(side, 2, side.length);
      Path exact = dir.resolve("exact" + side[0]);
      Runs.Result r = Runs.run(job(data, exact, concat(more, "--batch-size", side[0])));
      assertEquals(0, r.exitCode(), r.err());
      String expected = bits(exact);
      assertEquals(3, Runs.summary(exact).get("steps").asLong(), "one update an epoch");
      for (int workers : new int[] {1, 3}) {
        Path big = dir.resolve("big" + side[0] + "-" + workers);
        Runs.Result b = Runs.run(job(data, big, concat(more, "--batch-size", side[1],
            "--workers", "" + workers)));
        assertEquals(0, b.exitCode(), b.err());
        assertEquals(expected, bits(big), "B " + side[1] + ", " + workers + " workers");
      }
    }
  }

  private static String[] concat(String[] a, String... b) {
    List<String> out = new ArrayList<>(List.of(a));
    out.addAll(List.of(b));
    return out.toArray(String[]::new);
  }
}
