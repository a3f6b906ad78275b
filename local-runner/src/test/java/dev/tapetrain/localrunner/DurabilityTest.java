package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What a status promises survives a power loss (issue 25, item 10). A run's file-system calls
 * are traced with {@code strace} (installed by CI; the test is skipped with a message where it
 * cannot run), and the order is checked: before each checkpoint and before the final summary
 * the step log and the TensorBoard file are forced to disk, every rename is followed by a
 * forced directory, and the new run directory's entry is forced too.
 */
class DurabilityTest extends ProcessTestBase {

  private static final Pattern CALL = Pattern.compile(
      "^\\d+\\s+(fsync|fdatasync|rename)\\((?:\\d+<([^>]*)>|\"([^\"]*)\", \"([^\"]*)\")\\)");

  @Test
  void checkpointsAndTheSummaryComeAfterTheLogsReachTheDisk() throws Exception {
    Assumptions.assumeTrue(straceWorks(), "strace cannot trace here (not installed, or "
        + "ptrace is not allowed): durability is not checked");
    Path trace = dir.resolve("trace.txt");
    Path run = dir.resolve("runs").resolve("durable");
    processes.withPrefix(List.of("strace", "-f", "-y", "-qq", "-e",
        "trace=fsync,fdatasync,rename", "-o", trace.toString()));
    Process p = processes.localRunner("run", "--steps", "30", "--checkpoint-every", "10",
        "--log-every", "3", "--run-dir", run.toString());
    assertEquals(0, Processes.exitCode(p, Duration.ofSeconds(120)), processes.stderr("run"));

    List<String[]> calls = new ArrayList<>(); // {call, path or rename target}
    for (String line : Files.readAllLines(trace)) {
      Matcher m = CALL.matcher(line);
      if (m.find() && (line.contains(dir.toString()))) {
        calls.add(new String[] {m.group(1), m.group(2) != null ? m.group(2) : m.group(4)});
      }
    }
    String steps = run.resolve("steps.jsonl").toString();
    String summary = run.resolve("summary.json").toString();
    String checkpoint = run.resolve("checkpoint.pb").toString();
    assertTrue(calls.stream().anyMatch(c -> c[0].startsWith("fsync")
        && c[1].equals(run.getParent().toString())), "the new run's directory entry is forced");
    int checkpoints = 0;
    boolean stepsSynced = false;
    boolean eventsSynced = false;
    for (int i = 0; i < calls.size(); i++) {
      String[] c = calls.get(i);
      if (c[0].startsWith("f") && c[1].equals(steps)) {
        stepsSynced = true;
      } else if (c[0].startsWith("f") && c[1].contains("events.out.tfevents")) {
        eventsSynced = true;
      } else if (c[0].equals("rename")) {
        assertTrue(i + 1 < calls.size() && calls.get(i + 1)[0].equals("fsync")
            && calls.get(i + 1)[1].equals(run.toString()),
            "the directory is forced after renaming to " + c[1]);
        if (c[1].equals(checkpoint) || (c[1].equals(summary) && checkpoints > 0)) {
          assertTrue(stepsSynced && eventsSynced, "the logs reach the disk before " + c[1]);
          stepsSynced = false;
          eventsSynced = false;
          checkpoints += c[1].equals(checkpoint) ? 1 : 0;
        }
      }
    }
    assertTrue(checkpoints >= 3, checkpoints + " checkpoints seen: " + calls.size() + " calls");
  }

  private boolean straceWorks() {
    try {
      Process p = new ProcessBuilder("strace", "-qq", "-e", "trace=none", "true")
          .redirectErrorStream(true).start();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
