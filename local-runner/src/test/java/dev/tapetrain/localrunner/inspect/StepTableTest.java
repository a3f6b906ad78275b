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

  private RunFiles linearRun(String name, String w, String b) throws Exception {
    Path run = dir.resolve(name);
    Files.createDirectories(run);
    Files.writeString(run.resolve("config.json"), "{\"options\":{\"model\":\"linear\"}}");
    Files.writeString(run.resolve("summary.json"), "{\"status\":\"completed\"}");
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      log.append("{\"step\":").append(i).append(",\"loss\":104.35438655771154,\"params\":{\"w\":")
          .append(w).append(",\"b\":").append(b).append("},\"grad_norm\":18.98999745808591,"
              + "\"step_ms\":11.813551}\n");
    }
    Files.writeString(run.resolve("steps.jsonl"), log);
    return RunFiles.read(run);
  }

  /**
   * Where each column begins (a left-aligned one) or ends (a right-aligned one: the step and the
   * times), read off the header alone; each row must have a cell beginning or ending there.
   */
  private static void assertUnderHeader(String header, List<String> rows, String what) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\S+( \\S+)?").matcher(header);
    List<int[]> columns = new java.util.ArrayList<>(); // {start, end, right-aligned}
    while (m.find()) {
      boolean right = columns.isEmpty() || m.group().endsWith("ms");
      columns.add(new int[] {m.start(), m.end(), right ? 1 : 0});
    }
    assertEquals(List.of("loss", "W", "B", "|grad|"), columns.stream().filter(c -> c[2] == 0)
        .map(c -> header.substring(c[0], c[1])).toList(), header);
    assertTrue(rows.size() >= 3, what);
    for (String row : rows) {
      String msg = what + "\n" + header + "\n" + row;
      assertEquals(header.length(), row.length(), msg);
      for (int[] c : columns) {
        if (c[2] == 1) {
          assertTrue(row.charAt(c[1] - 1) != ' ' && (c[1] == row.length()
              || row.charAt(c[1]) == ' '), "a cell ends at " + c[1] + ": " + msg);
        } else {
          assertTrue(row.charAt(c[0] - 1) == ' ' && row.charAt(c[0]) != ' ',
              "a cell begins at " + c[0] + ": " + msg);
        }
      }
    }
  }

  @Test
  void columnsStayUnderTheirHeadersForScalarAndVectorParameters() throws Exception {
    List<RunFiles> runs = List.of(
        linearRun("one-feature", "4.977309426518368", "9.819545778569717"),
        linearRun("three-features", "[4.977309426518368,-4.954214628246505,4.970215575844571]",
            "-1.2345678901234567E-10"),
        linearRun("twelve-features", "[" + "-4.954214628246505E-5,".repeat(11) + "1.0]",
            "9.819545778569717"));
    for (RunFiles run : runs) {
      List<String> table = table(run, 1);
      assertUnderHeader(table.get(1), table.subList(2, table.size()), run.dir() + " table");

      StepTable follow = new StepTable(run, null);
      List<String> rows = new java.util.ArrayList<>();
      try (StepReader reader = run.steps()) {
        for (JsonNode line = reader.next(); line != null; line = reader.next()) {
          rows.add(follow.followRow(line));
        }
      }
      assertUnderHeader(follow.header(true), rows, run.dir() + " --follow");
    }
    String three = table(runs.get(1), 1).get(2);
    assertTrue(three.contains("  [4.977, -4.954, 4.970]  -1.234567890123457e-10  "), three);
    String twelve = table(runs.get(2), 1).get(2);
    assertTrue(twelve.contains("  [-4.954e-05, …]  "), twelve);
    String one = table(runs.get(0), 1).get(2);
    assertTrue(one.contains("  4.977309426518368  ") && one.contains("  9.819545778569717  "), one);
  }
}
