package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 29: a restarted pod continues its run, and SIGTERM (what Kubernetes sends a pod it
 * stops) ends a coordinator's run as Ctrl-C does. Real JVMs on loopback.
 */
class RestartedPodTest extends ProcessTestBase {

  /** Slow enough per step that a kill lands mid-run. */
  private static final String[] JOB = {"--steps", "1500", "--examples", "100000",
      "--checkpoint-every", "50", "--log-every", "100"};

  private static final Duration TIMEOUT = Duration.ofSeconds(150);

  @org.junit.jupiter.api.io.TempDir
  static Path shared;

  private static List<Runs.Step> reference;

  /** The uninterrupted run's steps, made once for both tests (local-runner, 2 workers). */
  private static synchronized List<Runs.Step> reference() throws Exception {
    if (reference == null) {
      Path run = shared.resolve("reference");
      assertEquals(0, Runs.run(concat(JOB, "--run-dir", run.toString(), "--workers", "2"))
          .exitCode());
      reference = Runs.steps(run);
    }
    return reference;
  }

  private static void assertEveryStepOnce(List<Runs.Step> steps) {
    Set<Long> seen = new HashSet<>();
    for (Runs.Step s : steps) {
      assertTrue(seen.add(s.step()), "step " + s.step() + " logged twice");
    }
  }

  @Test
  void aRank0PodKilledMidRunAndStartedAgainWithTheSameCommandContinuesToTheSameBits()
      throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("job");
    // One command line for every pod, as a pod template gives it.
    String[] line = concat(JOB, "--host", "127.0.0.1", "--bind", "127.0.0.1", "--run-dir",
        run.toString(), "--join-timeout", "60", "--rejoin-timeout", "60");
    processes.withEnv("MASTER_ADDR", "127.0.0.1").withEnv("MASTER_PORT", "" + port)
        .withEnv("WORLD_SIZE", "3");
    Process rank0 = processes.withEnv("RANK", "0").launch("rank0", line);
    Process rank1 = processes.withEnv("RANK", "1").launch("rank1", line);
    Process rank2 = processes.withEnv("RANK", "2").launch("rank2", line);
    Processes.await("a checkpoint", TIMEOUT, () -> Files.exists(run.resolve("checkpoint.pb")));
    Processes.kill9(rank0);
    assertEquals("running", Runs.summary(run).get("status").asText());

    // The pod restarts: the same command, the same run directory.
    Process again = processes.withEnv("RANK", "0").launch("rank0-again", line);
    assertEquals(0, Processes.exitCode(again, TIMEOUT), processes.stderr("rank0-again"));
    String err = processes.stderr("rank0-again");
    assertTrue(err.contains("resuming " + run + " from step "), err);
    List<Runs.Step> steps = Runs.steps(run);
    assertEveryStepOnce(steps);
    assertEquals(reference(), steps, "bit for bit");
    assertEquals("completed", Runs.summary(run).get("status").asText());
    Runs.Step last = reference().get(reference().size() - 1);
    assertTrue(processes.stdout("rank0-again").strip().endsWith(
        "W = " + last.w() + ", B = " + last.b()), processes.stdout("rank0-again"));
    assertEquals(0, Processes.exitCode(rank1, TIMEOUT), processes.stderr("rank1"));
    assertEquals(0, Processes.exitCode(rank2, TIMEOUT), processes.stderr("rank2"));
  }

  @Test
  void sigtermInterruptsACoordinatorAsCtrlCDoesAndTheRunResumesToTheSameBits()
      throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("stopped");
    Process coordinator = processes.coordinator("coordinator", concat(JOB, "--port", "" + port,
        "--workers", "2", "--run-dir", run.toString()));
    processes.worker("w1", port);
    processes.worker("w2", port);
    Processes.await("a checkpoint", TIMEOUT, () -> Files.exists(run.resolve("checkpoint.pb")));
    coordinator.destroy(); // SIGTERM
    assertEquals(130, Processes.exitCode(coordinator, Duration.ofSeconds(30)),
        processes.stderr("coordinator"));
    assertEquals("interrupted", Runs.summary(run).get("status").asText());
    assertTrue(processes.stderr("coordinator").contains("continue with: --resume " + run),
        processes.stderr("coordinator"));
    Runs.Result resumed = Runs.run("--resume", run.toString());
    assertEquals(0, resumed.exitCode(), resumed.err());
    List<Runs.Step> steps = Runs.steps(run);
    assertEveryStepOnce(steps);
    assertEquals(reference(), steps, "bit for bit");
  }
}
