package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.run.Json;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@code inspect} streams (issue 25, item 8): a log of {@value #LINES} lines of today's format
 * (about 65 MB) is summarised, compared with a copy that differs at its last step and with one
 * that differs at its first, followed and plotted, each by a JVM with a {@value #HEAP_MB} MB
 * heap. The log is more than twice that heap: the reader before this one held the whole file as
 * one string (and then about 6 KB of JSON tree per line), so it could not even read it here.
 * The first run also has an epochs.jsonl of as many lines (a run of one-update epochs), whose
 * epoch table and best epoch are found in the same heap.
 */
class InspectStreamingTest extends ProcessTestBase {

  private static final int LINES = 150_000;
  private static final int HEAP_MB = 24;
  /** The index of the line of epochs.jsonl with the lowest loss. */
  private static final int BEST = 77_777;
  /** Every this many steps one is slow (as a checkpoint's is). */
  private static final int SLOW_EVERY = 1000;

  @Test
  void aLongLogIsInspectedComparedFollowedAndPlottedInASmallHeap() throws Exception {
    Path template = dir.resolve("template");
    assertEquals(0, Runs.run("--steps", "3", "--workers", "1", "--run-dir", template.toString())
        .exitCode());
    Path a = dir.resolve("a");
    Path lastDiffers = dir.resolve("last-differs");
    Path firstDiffers = dir.resolve("first-differs");
    writeRuns(template, a, lastDiffers, firstDiffers);
    long bytes = Files.size(a.resolve("steps.jsonl"));
    assertTrue(bytes > 2L * HEAP_MB * 1024 * 1024, "the log (" + bytes + " bytes) is more than "
        + "twice the heap");

    Runs.Result summary = inspect("summary", a.toString());
    assertTrue(summary.out().contains("status:         completed (" + LINES + " of " + LINES
        + " steps)"), summary.out());
    List<String> lines = summary.outLines();
    int epochTable = lines.indexOf("epochs (every 10000th, the best and the last):");
    assertTrue(epochTable > 0, summary.out());
    List<String> rows = lines.subList(0, epochTable).stream()
        .filter(l -> l.matches("\\s+\\d+\\s+\\d.*")).toList();
    // epochs.jsonl, as long as the log: the best (lowest loss) found in one pass, and 15 rows
    // of every 10 000th epoch, the best and the last printed in a second.
    assertTrue(summary.out().contains("best epoch:     " + (BEST + 1) + " of " + LINES
        + " by loss"), summary.out());
    List<String> epochRows = lines.subList(epochTable + 2, lines.size()).stream()
        .takeWhile(l -> !l.isBlank()).toList();
    assertEquals(17, epochRows.size(), summary.out());
    assertTrue(epochRows.get(8).trim().startsWith((BEST + 1) + " ")
        && epochRows.get(8).endsWith("best"), epochRows.get(8));
    assertTrue(epochRows.get(16).trim().startsWith(LINES + " "), epochRows.get(16));
    // Default K for 150 000 lines: 10 000 (15 rows, and the last).
    assertTrue(summary.out().contains("(every 10000th logged step and the last;"),
        summary.out());
    assertEquals(16, rows.size(), summary.out());
    String[] second = rows.get(1).trim().split("\\s+");
    assertEquals("10000", second[0]);
    // Steps 1..10000: 10 slow ones of 5 ms among 0.02 ms ones.
    assertEquals("0.025 5.000", second[second.length - 2] + " " + second[second.length - 1]);
    assertTrue(rows.get(15).trim().startsWith((LINES - 1) + " "), rows.get(15));

    Runs.Result last = inspect("diff-last", a.toString(), lastDiffers.toString());
    assertEquals(1, last.exitCode(), last.err());
    assertTrue(last.out().startsWith("first difference at step " + (LINES - 1) + "\n  loss: "),
        last.out());
    Runs.Result first = inspect("diff-first", a.toString(), firstDiffers.toString());
    assertEquals(1, first.exitCode(), first.err());
    assertTrue(first.out().startsWith("first difference at step 0\n  loss: "), first.out());

    Runs.Result followed = inspect("follow", a.toString(), "--follow");
    long followedRows = 0;
    try (BufferedReader r = Files.newBufferedReader(dir.resolve("follow.out"))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        if (l.matches("\\s+\\d+\\s+\\d.*")) {
          followedRows++;
        }
      }
    }
    assertEquals(LINES, followedRows);
    assertTrue(followed.err().isEmpty(), followed.err());

    Path png = dir.resolve("long.png");
    Runs.Result plotted = inspect("plot", a.toString(), "--format", "json", "--plot",
        png.toString());
    assertEquals(0, plotted.exitCode(), plotted.err());
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(1000, image.getWidth());
    assertEquals(750, image.getHeight());
  }

  /** Runs {@code inspect args} in a JVM with the small heap; its exit code, stdout and stderr. */
  private Runs.Result inspect(String name, String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "inspect";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = processes.localRunnerWithJvm(name, List.of("-Xmx" + HEAP_MB + "m"), command);
    int code = Processes.exitCode(p, Duration.ofSeconds(120));
    String out = name.equals("follow") ? "" : processes.stdout(name);
    Runs.Result r = new Runs.Result(code, out, processes.stderr(name));
    if (code > 1) {
      throw new AssertionError("inspect " + String.join(" ", args) + " exited " + code + ": "
          + r.err());
    }
    return r;
  }

  /**
   * Three runs with the template's config and a log of {@link #LINES} lines in today's format
   * for the linear model: {@code a}, a copy whose last line's loss (and digest) differ, and a
   * copy whose first line's do.
   */
  private static void writeRuns(Path template, Path a, Path lastDiffers, Path firstDiffers)
      throws Exception {
    ObjectNode config = (ObjectNode) Json.MAPPER.readTree(template.resolve("config.json")
        .toFile());
    ((ObjectNode) config.get("options")).put("steps", LINES);
    ObjectNode summary = (ObjectNode) Runs.summary(template);
    summary.put("steps", LINES);
    summary.put("planned_steps", LINES);
    Path[] runs = {a, lastDiffers, firstDiffers};
    BufferedWriter[] logs = new BufferedWriter[3];
    try {
      for (int r = 0; r < 3; r++) {
        Files.createDirectories(runs[r]);
        Json.writeAtomically(runs[r].resolve("config.json"), config);
        Json.writeAtomically(runs[r].resolve("summary.json"), summary);
        logs[r] = Files.newBufferedWriter(runs[r].resolve("steps.jsonl"));
      }
      try (BufferedWriter epochs = Files.newBufferedWriter(a.resolve("epochs.jsonl"))) {
        for (int i = 0; i < LINES; i++) {
          double loss = 1 + Math.abs(i - BEST) / (double) LINES;
          epochs.append("{\"epoch\":").append(String.valueOf(i + 1)).append(",\"steps\":")
              .append(String.valueOf(i + 1)).append(",\"loss\":").append(String.valueOf(loss))
              .append(",\"val_loss\":").append(String.valueOf(loss * 1.1)).append("}\n");
        }
      }
      StringBuilder line = new StringBuilder(512);
      for (int i = 0; i < LINES; i++) {
        line(line, i, false);
        logs[0].append(line);
        logs[1].append(i == LINES - 1 ? line(new StringBuilder(), i, true) : line);
        logs[2].append(i == 0 ? line(new StringBuilder(), i, true) : line);
      }
    } finally {
      for (BufferedWriter log : logs) {
        if (log != null) {
          log.close();
        }
      }
    }
  }

  /** Line {@code i} of the log (one ulp off in its loss, and another digest, if it differs). */
  private static StringBuilder line(StringBuilder line, int i, boolean differs) {
    double t = i / (double) LINES;
    double loss = 1 + 65 * Math.exp(-20 * t);
    double w = 3 + 2 * Math.exp(-20 * t);
    double b = 2 + 8 * Math.exp(-20 * t);
    double ms = i % SLOW_EVERY == SLOW_EVERY - 1 ? 5.0 : 0.02;
    long digest = i * 0x9E3779B97F4A7C15L + (differs ? 1 : 0);
    line.setLength(0);
    return line.append("{\"step\":").append(i).append(",\"prev\":").append(i - 1)
        .append(",\"loss\":").append(differs ? Math.nextUp(loss) : loss)
        .append(",\"params\":{\"w\":").append(w).append(",\"b\":").append(b)
        .append("},\"grad_norm\":").append(loss / 4)
        .append(",\"w\":").append(w).append(",\"b\":").append(b)
        .append(",\"grad_w\":").append(loss / 5).append(",\"grad_b\":").append(loss / 7)
        .append(",\"digest\":\"").append(Long.toHexString(digest | Long.MIN_VALUE))
        .append("\",\"learning_rate\":0.01,\"step_ms\":").append(ms)
        .append(",\"workers\":[{\"worker\":\"akka://tapetrain/user/worker-1\",\"chunks\":16,"
            + "\"samples\":1000,\"compute_ms\":").append(ms / 2)
        .append("}],\"ignored\":0,\"reassignments\":[]}\n");
  }
}
