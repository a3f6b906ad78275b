package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every failure ends cleanly (issue 14, item 5): one line naming the cause, the right exit code,
 * the checkpoint kept, summary.json saying what happened — never "running", never a stack trace.
 */
class FailureEndsTest extends ProcessTestBase {

  private static void assertNoStackTrace(String err) {
    assertFalse(err.contains("\tat "), err);
    assertFalse(err.contains("Exception"), err);
    assertFalse(err.contains("OutOfMemoryError"), err);
  }

  @Test
  void samplesThatCannotFitTheHeapAreRefusedBeforeARunExists() throws Exception {
    Path run = dir.resolve("run");
    Process p = processes.localRunnerWithJvm("oom", List.of("-Xmx64m"), "--examples",
        "10000000", "--run-dir", run.toString());
    assertEquals(2, Processes.exitCode(p, Duration.ofSeconds(60)));
    String err = processes.stderr("oom");
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains("--examples 10000000: 10000000 samples need 153 MiB of memory"), err);
    assertTrue(err.contains("give java a larger -Xmx"), err);
    assertFalse(Files.exists(run), "no run directory");
  }

  @Test
  void dataFilesThatCannotFitTheHeapAreRefusedNamingDataNotExamples() throws Exception {
    // 120 000 rows of 20 features and a target: 19.2 MiB of samples (20 MiB as the message rounds), more than -Xmx64m leaves
    // once 48 MiB are kept for the rest (a new user read "--examples" for their --data file).
    Path csv = dir.resolve("wide.csv");
    StringBuilder rows = new StringBuilder();
    for (int c = 0; c < 20; c++) {
      rows.append("x").append(c).append(',');
    }
    rows.append("y\n");
    String row = "1,".repeat(20) + "2\n";
    try (var out = Files.newBufferedWriter(csv)) {
      out.write(rows.toString());
      for (int r = 0; r < 120_000; r++) {
        out.write(row);
      }
    }
    Path run = dir.resolve("run");
    Process p = processes.localRunnerWithJvm("oom-data", List.of("-Xmx64m"), "--data",
        csv.toString(), "--features", "*", "--target", "y", "--cache", "off", "--run-dir",
        run.toString());
    assertEquals(2, Processes.exitCode(p, Duration.ofSeconds(60)));
    String err = processes.stderr("oom-data");
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains(": --data: 120000 samples need 20 MiB of memory (168 bytes each)"),
        err);
    assertTrue(err.contains("(-Xmx 64 MiB, of which 48 MiB are kept for the rest of the "
        + "process)"), err);
    assertFalse(Files.exists(run), "no run directory");
  }

  @Test
  void anOutOfMemoryErrorThatHappensAnywayEndsTheRunAsFailed() throws Exception {
    Path run = dir.resolve("run");
    // The estimate is skipped, so the workers really run out of heap while loading.
    Process p = processes.localRunnerWithJvm("oom", List.of("-Xmx64m",
        "-Dtapetrain.memoryCheck=false"), "--examples", "10000000", "--run-dir", run.toString());
    assertEquals(1, Processes.exitCode(p, Duration.ofSeconds(120)));
    String err = processes.stderr("oom");
    assertNoStackTrace(err);
    String last = err.lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("tapetrain: run failed after 0 step(s): no worker left: "), err);
    assertTrue(last.contains("out of memory"), err);
    var summary = Runs.summary(run);
    assertEquals("failed", summary.get("status").asText());
    assertTrue(summary.get("message").asText().contains("out of memory"), summary.toString());
  }

  @Test
  void aCheckpointThatCannotBeWrittenFailsTheRunAndKeepsTheOldOne() throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, Runs.run("--steps", "60", "--run-dir", reference.toString()).exitCode());
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "20", "--checkpoint-every", "10", "--run-dir",
        run.toString()).exitCode());
    // Every write to the next checkpoint's temporary file fails with ENOSPC, as on a full disk.
    Files.createSymbolicLink(run.resolve("checkpoint.pb.tmp"), Path.of("/dev/full"));
    Runs.Result r = Runs.run("--resume", run.toString(), "--steps", "60", "--checkpoint-every",
        "10");
    assertEquals(1, r.exitCode(), r.err());
    assertNoStackTrace(r.err());
    assertTrue(r.err().contains("cannot write " + run.resolve("checkpoint.pb")
        + ": No space left on device"), r.err());
    assertFalse(Files.exists(run.resolve("checkpoint.pb.tmp"), java.nio.file.LinkOption
        .NOFOLLOW_LINKS), "no temporary file left");
    var summary = Runs.summary(run);
    assertEquals("failed", summary.get("status").asText());
    assertTrue(summary.get("message").asText().contains("No space left on device"),
        summary.toString());
    assertEquals("--resume " + run, summary.get("resume").asText());
    // It says the state it keeps, the checkpoint of step 20 (not steps run on after the failed
    // write, whose lines and checkpoint were never written: a review helper's finding).
    var kept = dev.tapetrain.coordinator.run.Checkpoints.read(run.resolve("checkpoint.pb"))
        .state();
    assertEquals(20, kept.steps());
    assertEquals(20, summary.get("steps").asInt(), summary.toString());
    assertEquals(kept.loss(), summary.get("loss").asDouble(), 0.0, summary.toString());
    // What the failed run kept is a whole checkpoint: the run finishes from it, same bits.
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--steps", "60");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(Runs.steps(reference), Runs.steps(run), "bit for bit");
  }

  @Test
  void aDiskThatFillsUpDuringARunStillGetsItsSummary() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "skipped: mounting a small tmpfs needs root");
    Path mount = dir.resolve("small-disk");
    Files.createDirectories(mount);
    Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs",
        mount.toString()).inheritIO().start();
    Assumptions.assumeTrue(m.waitFor(10, TimeUnit.SECONDS) && m.exitValue() == 0,
        "skipped: this machine does not let root mount a tmpfs");
    try {
      Path run = mount.resolve("run");
      Runs.Result r = Runs.run("--steps", "100000", "--checkpoint-every", "50", "--run-dir",
          run.toString());
      assertEquals(1, r.exitCode(), r.err());
      assertNoStackTrace(r.err());
      assertTrue(r.err().contains("No space left on device"), r.err());
      var summary = Runs.summary(run);
      assertEquals("failed", summary.get("status").asText(), summary.toString());
      assertTrue(summary.get("message").asText().contains("No space left on device"),
          summary.toString());
      // The checkpoint on disk is a whole one: the run resumes from it elsewhere.
      assertTrue(Files.size(run.resolve("checkpoint.pb")) > 0);
    } finally {
      new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start()
          .waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aLossThatIsNotFiniteAtTheStartBlamesTheDataNotTheLearningRate() throws Exception {
    Path data = dir.resolve("huge.csv");
    Files.writeString(data, "x,y\n1e200,1\n2e200,3\n");
    Runs.Result r = Runs.run("--data", data.toString(), "--run-dir",
        dir.resolve("run").toString());
    assertEquals(3, r.exitCode(), r.err());
    assertTrue(r.err().contains("not finite at the initial parameters, before any update: the "
        + "data or the initial values overflow a double"), r.err());
    assertFalse(r.err().contains("--learning-rate"), r.err());
  }
}
