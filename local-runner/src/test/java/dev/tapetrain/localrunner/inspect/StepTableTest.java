package dev.tapetrain.localrunner.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.StepReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step table's rows: every K-th logged line and the last, held or printed from a re-read. */
class StepTableTest {

  @TempDir
  Path dir;

  private static final int LINES = 2_500;

  private RunFiles run() throws Exception {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    Files.writeString(run.resolve("config.json"), "{\"options\":{\"model\":\"mlp\"},"
        + "\"metrics\":[\"accuracy\"]}");
    Files.writeString(run.resolve("summary.json"), "{\"status\":\"completed\"}");
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < LINES; i++) {
      // Logged every 3 steps: rows name steps, K counts lines.
      log.append("{\"step\":").append(3 * i).append(",\"loss\":1.5,\"accuracy\":0.25,"
          + "\"param_norms\":{\"w1\":2.0},\"grad_norm\":0.5,\"step_ms\":").append(i % 7)
          .append("}\n");
    }
    Files.writeString(run.resolve("steps.jsonl"), log);
    return RunFiles.read(run);
  }

  private static List<String> table(RunFiles run, Integer every) {
    StepTable table = new StepTable(run, every);
    try (StepReader reader = run.steps()) {
      for (JsonNode line = reader.next(); line != null; line = reader.next()) {
        table.accept(line);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    table.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), run);
    return List.of(bytes.toString(StandardCharsets.UTF_8).split("\n"));
  }

  private static List<Long> steps(List<String> table) {
    return table.stream().filter(l -> l.matches("\\s+\\d+\\s+\\d.*"))
        .map(l -> Long.parseLong(l.trim().split("\\s+")[0])).toList();
  }

  @Test
  void aTableTooLongToHoldIsPrintedFromASecondReadWithTheSameRows() throws Exception {
    RunFiles run = run();
    for (int every : new int[] {1, 2, 3, 7}) {
      List<String> table = table(run, every);
      List<Long> expected = new java.util.ArrayList<>();
      for (int i = 0; i < LINES; i += every) {
        expected.add(3L * i);
      }
      if ((LINES - 1) % every != 0) {
        expected.add(3L * (LINES - 1));
      }
      assertTrue(expected.size() > StepTable.BUFFERED_ROWS || every == 3 || every == 7);
      assertEquals(expected, steps(table), "--every " + every);
      // Each row's times: mean and max of step_ms = line % 7 over the lines since the row above.
      String second = table.stream().filter(l -> l.matches("\\s+\\d+\\s+\\d.*")).skip(1)
          .findFirst().orElseThrow();
      double sum = 0;
      double max = 0;
      for (int i = 1; i <= every; i++) {
        sum += i % 7;
        max = Math.max(max, i % 7);
      }
      String[] cells = second.trim().split("\\s+");
      assertEquals(String.format(java.util.Locale.ROOT, "%.3f %.3f", sum / every, max),
          cells[cells.length - 2] + " " + cells[cells.length - 1], second);
    }
  }

  @Test
  void theDefaultKIsTheSmallestOneTwoFiveTimesAPowerOfTenWithinTwentyRows() throws Exception {
    List<String> table = table(run(), null);
    // 2500 lines: K = 200 (ceil(2500 / 200) = 13 rows; 100 would give 25), and the last line.
    assertEquals("(every 200th logged step and the last; mean and max ms: the logged steps "
        + "since the row above)", table.get(0));
    assertEquals(List.of("step", "loss", "accuracy", "|grad|", "mean", "ms", "max", "ms"),
        List.of(table.get(1).trim().split("\\s+")));
    List<Long> expected = new java.util.ArrayList<>();
    for (int i = 0; i < LINES; i += 200) {
      expected.add(3L * i);
    }
    expected.add(3L * (LINES - 1));
    assertEquals(expected, steps(table));
  }
}
