package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.CoordinatorMain;
import dev.tapetrain.worker.WorkerMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code tapetrain launch}: one command line for every pod, the role from the operator's
 * variables. The cluster test runs a PyTorchJob's two ranks as JVMs on loopback.
 */
class LaunchTest extends ProcessTestBase {

  @Test
  void eachRoleKeepsItsOwnOptionsAndDropsTheOthers() {
    String[] line = {"--steps", "5", "--join-timeout", "9", "--bind", "127.0.0.1", "--nesterov",
        "--set", "a=b", "--coordinator-timeout=4", "--bogus", "--run-dir", "runs/x"};
    assertArrayEquals(new String[] {"--steps", "5", "--bind", "127.0.0.1", "--nesterov",
        "--set", "a=b", "--bogus", "--run-dir", "runs/x"},
        LaunchOptions.keep(line, CoordinatorMain.commandSpec(), WorkerMain.commandSpec()));
    assertArrayEquals(new String[] {"--join-timeout", "9", "--bind", "127.0.0.1",
        "--coordinator-timeout=4", "--bogus"},
        LaunchOptions.keep(line, WorkerMain.commandSpec(), CoordinatorMain.commandSpec()));
  }

  private static String launchError(Map<String, String> env, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = Launch.run(args, env, new PrintStream(new ByteArrayOutputStream()), errStream);
    assertEquals(2, code);
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpSaysWhatTheExitCodesMeanToAnOperatorsRestartPolicy() {
    // Every other command lists its exit codes; an operator's restart policy needs launch's.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, Launch.run(new String[] {"--help"}, Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.contains("Exit codes: its role's"), help);
    assertTrue(help.contains("2 is a bad option"), help);
  }

  @Test
  void withoutAClusterInTheEnvironmentLaunchSaysWhatToSet() {
    assertEquals("launch: no cluster in the environment: set MASTER_ADDR, MASTER_PORT, "
        + "WORLD_SIZE and RANK (PyTorchJob, torchrun) or TF_CONFIG (TFJob)\n",
        launchError(Map.of()));
    assertEquals("launch: TF_CONFIG: task type 'ps' is not supported; tapetrain has a chief "
        + "(the coordinator) and workers only\n", launchError(Map.of("TF_CONFIG",
            "{\"cluster\": {\"worker\": [\"w:1\", \"v:1\"]}, \"task\": {\"type\": \"ps\"}}")));
    assertEquals("coordinator: --workers 5 contradicts WORLD_SIZE=2, which gives 1\n",
        launchError(Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "1", "WORLD_SIZE", "2",
            "RANK", "0"), "--workers", "5", "--run-dir", dir.resolve("run").toString()));
    assertTrue(Files.notExists(dir.resolve("run")));
  }

  @Test
  void aPyTorchJobsTwoRanksTrainTheTutorialsBits() throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("job");
    // The same command on every rank, as a pod template gives it; loopback instead of a pod
    // network (a worker would advertise its pod's address and listen on every interface).
    String[] line = {"--host", "127.0.0.1", "--bind", "127.0.0.1", "--run-dir", run.toString(),
        "--join-timeout", "60"};
    processes.withEnv("MASTER_ADDR", "127.0.0.1").withEnv("MASTER_PORT", "" + port)
        .withEnv("WORLD_SIZE", "2");
    Process coordinator = processes.withEnv("RANK", "0").launch("rank0", line);
    Process worker = processes.withEnv("RANK", "1").launch("rank1", line);
    Duration timeout = Duration.ofSeconds(120);
    assertEquals(0, Processes.exitCode(coordinator, timeout), processes.stderr("rank0"));
    assertEquals(0, Processes.exitCode(worker, timeout), processes.stderr("rank1"));
    String out = processes.stdout("rank0");
    assertTrue(out.strip().endsWith("W = 3.0981413427134927, B = 2.1183506602882813"), out);
    String err = processes.stderr("rank0");
    assertTrue(err.contains("(RANK=0)") && err.contains("waiting for 1 worker(s)"), err);
  }
}
