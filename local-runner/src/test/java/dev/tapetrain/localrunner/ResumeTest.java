package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Checkpoints, resume, interruption: nothing is lost and the bits do not change. */
class ResumeTest extends ProcessTestBase {

  /** Slow enough per step that a kill lands mid-run: 100k samples, 3000 steps. */
  private static final String[] LONG_JOB = {"--steps", "3000", "--examples", "100000",
      "--checkpoint-every", "50", "--log-every", "100", "--workers", "2"};

  private static void assertEveryStepOnce(List<Runs.Step> steps) {
    Set<Long> seen = new HashSet<>();
    for (Runs.Step s : steps) {
      assertTrue(seen.add(s.step()), "step " + s.step() + " logged twice");
    }
  }

  /** Every optimizer's state survives the checkpoint: momentum's velocity, Adam's moments. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"sgd", "momentum", "adam"})
  void resumingWithMoreStepsEqualsOneLongRun(String optimizer) throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, Runs.run("--steps", "120", "--optimizer", optimizer, "--run-dir",
        whole.toString()).exitCode());
    Path part = dir.resolve("part");
    assertEquals(0, Runs.run("--steps", "70", "--optimizer", optimizer, "--checkpoint-every", "30",
        "--run-dir", part.toString()).exitCode());
    // Given again: the run's own optimizer (no change), and other execution options, which
    // never change numbers (a review found --threads, --worker-threads, --cache and TLS refused).
    Runs.Result resumed = Runs.run("--resume", part.toString(), "--steps", "120",
        "--workers", "3", "--optimizer", optimizer, "--threads", "1", "--worker-threads", "2",
        "--cache", "off");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertTrue(resumed.out().startsWith("Resumed after step 069: "), resumed.out());
    List<Runs.Step> steps = Runs.steps(part);
    assertEveryStepOnce(steps);
    assertEquals(Runs.steps(whole), steps, "bit for bit");
    assertEquals("completed", Runs.summary(part).get("status").asText());
  }

  @Test
  void aKilledTrainingJvmResumesFromItsCheckpointToTheSameBits() throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, Runs.run(concat(LONG_JOB, "--run-dir", reference.toString())).exitCode());
    Path run = dir.resolve("killed");
    Process p = processes.localRunner("killed", concat(LONG_JOB, "--run-dir", run.toString()));
    Processes.await("a checkpoint", Duration.ofSeconds(60),
        () -> Files.exists(run.resolve("checkpoint.pb")));
    Processes.kill9(p);
    assertEquals("running", Runs.summary(run).get("status").asText(), "a killed run says so");
    Runs.Result resumed = Runs.run("--resume", run.toString());
    assertEquals(0, resumed.exitCode(), resumed.err());
    List<Runs.Step> steps = Runs.steps(run);
    assertEveryStepOnce(steps);
    assertEquals(Runs.steps(reference), steps, "bit for bit");
  }

  @Test
  void sigtermCheckpointsExitsWith130AndResumesToTheSameBits() throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, Runs.run(concat(LONG_JOB, "--run-dir", reference.toString())).exitCode());
    Path run = dir.resolve("stopped");
    Process p = processes.localRunner("stopped", concat(LONG_JOB, "--run-dir", run.toString()));
    Processes.await("a checkpoint", Duration.ofSeconds(60),
        () -> Files.exists(run.resolve("checkpoint.pb")));
    p.destroy(); // SIGTERM
    assertEquals(130, Processes.exitCode(p, Duration.ofSeconds(30)), processes.stderr("stopped"));
    assertEquals("interrupted", Runs.summary(run).get("status").asText());
    assertTrue(processes.stderr("stopped").contains("--resume " + run), processes.stderr("stopped"));
    Runs.Result resumed = Runs.run("--resume", run.toString());
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(Runs.steps(reference), Runs.steps(run), "bit for bit");
  }

  @Test
  void resumingWithAnotherDataFileOrOptionIsRefused() throws Exception {
    Path data = dir.resolve("d.csv");
    StringBuilder csv = new StringBuilder("x,y\n");
    Random rnd = new Random(3);
    for (int i = 0; i < 200; i++) {
      csv.append(rnd.nextGaussian()).append(',').append(rnd.nextGaussian()).append('\n');
    }
    Files.writeString(data, csv);
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--data", data.toString(), "--steps", "20", "--run-dir",
        run.toString()).exitCode());
    String before = Files.readString(run.resolve("steps.jsonl"));

    Runs.Result option = Runs.run("--resume", run.toString(), "--learning-rate", "0.5");
    assertEquals(2, option.exitCode());
    assertTrue(option.err().contains("--learning-rate cannot change in a resumed run"),
        option.err());

    Files.writeString(data, csv + "1,2\n");
    Runs.Result changed = Runs.run("--resume", run.toString(), "--steps", "40");
    assertEquals(2, changed.exitCode());
    assertTrue(changed.err().contains(data + " changed since the run started"), changed.err());
    assertEquals(before, Files.readString(run.resolve("steps.jsonl")), "nothing was touched");
  }

  @Test
  void aMissingOrCorruptCheckpointIsRefusedClearly() throws Exception {
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "10", "--run-dir", run.toString()).exitCode());
    byte[] bytes = Files.readAllBytes(run.resolve("checkpoint.pb"));
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(run.resolve("checkpoint.pb"), bytes);
    Runs.Result corrupt = Runs.run("--resume", run.toString(), "--steps", "20");
    assertEquals(2, corrupt.exitCode());
    assertTrue(corrupt.err().contains("corrupt checkpoint"), corrupt.err());

    Files.delete(run.resolve("checkpoint.pb"));
    Runs.Result missing = Runs.run("--resume", run.toString(), "--steps", "20");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("no checkpoint"), missing.err());

    Runs.Result notARun = Runs.run("--resume", dir.resolve("nothing").toString());
    assertEquals(2, notARun.exitCode());
    assertEquals(1, notARun.err().lines().count(), notARun.err());
  }

  @Test
  void aDivergedRunKeepsTheLastFiniteStateInItsCheckpoint() throws Exception {
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run("--learning-rate", "5", "--run-dir", run.toString());
    assertEquals(3, r.exitCode());
    var summary = Runs.summary(run);
    long steps = summary.get("steps").asLong();
    // Resuming the diverged run at its last finite state reproduces its last finite loss.
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--steps", "" + steps);
    assertEquals(0, resumed.exitCode(), resumed.err());
    // A loss of 10^15 or more is written with an exponent (as a loss below 0.001).
    assertEquals(String.format(java.util.Locale.ROOT, "Resumed after step %03d: %.4e", steps - 1,
        summary.get("loss").asDouble()), resumed.outLines().get(0));
  }

  @Test
  void resumingACompletedRunSaysThereIsNothingToDoAndTouchesNothing() throws Exception {
    Path run = dir.resolve("done");
    assertEquals(0, Runs.run("--steps", "5", "--run-dir", run.toString()).exitCode());
    java.util.Map<Path, String> before = snapshot(run);
    for (String[] again : List.of(new String[] {"--resume", run.toString()},
        new String[] {"--resume", run.toString(), "--steps", "5"})) {
      Runs.Result r = Runs.run(again);
      assertEquals(0, r.exitCode(), r.err());
      assertEquals("--resume " + run + ": nothing to do: the run completed all its 5 steps "
          + "(raise --steps to train further)", r.err().strip());
      assertEquals("", r.out());
      assertEquals(before, snapshot(run), "every file as it was");
    }
    Runs.Result more = Runs.run("--resume", run.toString(), "--steps", "7");
    assertEquals(0, more.exitCode(), more.err());
    assertTrue(more.err().contains("resuming " + run + " from step 5"), more.err());
  }

  @Test
  void stepsBelowThoseAlreadyTrainedAreRefusedAndTouchNothing() throws Exception {
    Path run = dir.resolve("ten");
    assertEquals(0, Runs.run("--steps", "10", "--run-dir", run.toString()).exitCode());
    java.util.Map<Path, String> before = snapshot(run);
    Runs.Result fewer = Runs.run("--resume", run.toString(), "--steps", "4");
    assertEquals(2, fewer.exitCode(), fewer.err());
    assertEquals("local-runner: --steps 4 is below the 10 steps already in the checkpoint",
        fewer.err().strip());
    assertEquals(before, snapshot(run), "every file as it was");
  }

  /** Each file of {@code run} with its bytes and modification time. */
  private static java.util.Map<Path, String> snapshot(Path run) throws Exception {
    java.util.Map<Path, String> files = new java.util.TreeMap<>();
    try (var list = Files.list(run)) {
      for (Path f : list.toList()) {
        files.put(f.getFileName(), Files.getLastModifiedTime(f) + " "
            + java.util.Arrays.hashCode(Files.readAllBytes(f)));
      }
    }
    return files;
  }
}
