package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real network partitions (issue 14, item 4; issue 25, item 4): the coordinator in one network
 * namespace, two workers in another, joined by a veth pair; the link goes down mid-run, for
 * seconds and for longer than the workers' --coordinator-timeout. The run must complete,
 * bit-identical to local-runner, with every worker back. Needs root (to make namespaces); where
 * it is not root the test is skipped and says so. Traffic stays inside the two namespaces this test makes
 * (addresses 10.213.x.x exist nowhere else); both are deleted afterwards, pass or fail.
 */
class PartitionTest extends ProcessTestBase {

  private final int id = ThreadLocalRandom.current().nextInt(1, 250);
  private final String nsCoordinator = "tt-c" + id;
  private final String nsWorkers = "tt-w" + id;
  private final String vethCoordinator = "ttc" + id;
  private final String vethWorkers = "ttw" + id;
  private final String coordinatorIp = "10.213." + id + ".1";
  private final String workerIp = "10.213." + id + ".2";
  private boolean created;

  private static boolean run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean ok = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    if (!ok) {
      System.err.println(String.join(" ", cmd) + ": " + out);
    }
    return ok;
  }

  @BeforeEach
  void createNamespaces() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "skipped: network namespaces need root");
    Assumptions.assumeTrue(run("ip", "netns", "add", nsCoordinator),
        "skipped: 'ip netns add' is not available here");
    created = true;
    List<String[]> setup = List.of(
        new String[] {"ip", "netns", "add", nsWorkers},
        new String[] {"ip", "link", "add", vethCoordinator, "type", "veth", "peer", "name",
            vethWorkers},
        new String[] {"ip", "link", "set", vethCoordinator, "netns", nsCoordinator},
        new String[] {"ip", "link", "set", vethWorkers, "netns", nsWorkers},
        new String[] {"ip", "-n", nsCoordinator, "addr", "add", coordinatorIp + "/24", "dev",
            vethCoordinator},
        new String[] {"ip", "-n", nsWorkers, "addr", "add", workerIp + "/24", "dev",
            vethWorkers},
        new String[] {"ip", "-n", nsCoordinator, "link", "set", "lo", "up"},
        new String[] {"ip", "-n", nsWorkers, "link", "set", "lo", "up"},
        new String[] {"ip", "-n", nsCoordinator, "link", "set", vethCoordinator, "up"},
        new String[] {"ip", "-n", nsWorkers, "link", "set", vethWorkers, "up"});
    for (String[] cmd : setup) {
      assertTrue(run(cmd), String.join(" ", cmd));
    }
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    processes.close(); // the JVMs first: they live in the namespaces
    if (created) {
      run("ip", "netns", "del", nsCoordinator);
      run("ip", "netns", "del", nsWorkers);
    }
  }

  private Processes in(String ns) {
    return processes.withPrefix(List.of("ip", "netns", "exec", ns));
  }

  /**
   * Every worker is cut off three times in one run (one run, not three: the CI budget), each
   * partition after the workers of the one before are back: 8 s (the coordinator takes them back
   * as they are), 22 s (the coordinator downs them as the link comes back: they start a fresh
   * actor system and join again) and 25 s (longer than a worker's own --coordinator-timeout of
   * 20 s: the worker, knowing the coordinator's rejoin window from its admission, starts a fresh
   * system while the link is still down and keeps joining). All are shorter than
   * --rejoin-timeout (60 s), so after each every worker is back in the run (a {@code joined}
   * event) and the run completes with local-runner's bits. Issue 25, item 4.
   */
  @Test
  void partitionsOfEightTwentyTwoAndTwentyFiveSecondsCuttingOffEveryWorkerEndWithEveryWorker()
      throws Exception {
    // Long enough that the run cannot finish on one worker while the other is still rejoining.
    String[] job = {"--examples", "100000", "--steps", "45000", "--log-every", "500"};
    Path reference = dir.resolve("reference");
    Runs.Result local = Runs.run(concat(job, "--workers", "2", "--run-dir",
        reference.toString()));
    assertEquals(0, local.exitCode(), local.err());

    Path run = dir.resolve("partitioned");
    Process coordinator = in(nsCoordinator).coordinator("coordinator", concat(job, "--host",
        coordinatorIp, "--port", "2551", "--workers", "2", "--run-dir", run.toString()));
    List<Process> workers = new ArrayList<>();
    workers.add(in(nsWorkers).worker("w1", coordinatorIp, 2551, workerIp));
    // w2 on a pinned port: each fresh actor system rejoins on the address of the incarnation
    // the coordinator removed (w1, on --port 0, takes a new port each time). Issue 25.
    workers.add(in(nsWorkers).worker("w2", coordinatorIp, 2551, workerIp, "--port", "2552"));
    Processes.await("1500 steps", Duration.ofSeconds(120), () -> Processes.stepLines(run) >= 4);
    // The middle one must outlast the coordinator's downing (≈ 4 s to see a worker unreachable,
    // then tapetrain.down-unreachable-after = 15 s): 20 s left ≈ 1 s and failed once in CI
    // (2026-12-06) when the coordinator saw the cut late; 22 s is still short of a worker's own
    // --coordinator-timeout (20 s after it sees the cut), and either way it comes back fresh.
    for (int seconds : new int[] {8, 22, 25}) {
      assertTrue(coordinator.isAlive(), "the run ended before the " + seconds + " s partition");
      int joinedBefore = joined(run).size();
      long start = System.nanoTime();
      assertTrue(run("ip", "-n", nsCoordinator, "link", "set", vethCoordinator, "down"));
      Thread.sleep(seconds * 1000L);
      assertTrue(run("ip", "-n", nsCoordinator, "link", "set", vethCoordinator, "up"));
      awaitOrShowLogs("both workers back after the " + seconds + " s partition",
          Duration.ofSeconds(90), () -> Set.copyOf(joinedAfter(run, joinedBefore)).size() >= 2);
      System.out.printf("%d s partition: both workers back %.1f s after it began, at step "
          + "line %d%n", seconds, (System.nanoTime() - start) / 1e9, Processes.stepLines(run));
    }

    assertEquals(0, Processes.exitCode(coordinator, Duration.ofSeconds(240)),
        processes.stderr("coordinator"));
    for (int i = 0; i < workers.size(); i++) {
      String name = "w" + (i + 1);
      assertEquals(0, Processes.exitCode(workers.get(i), Duration.ofSeconds(30)),
          processes.stderr(name));
      // The 22 s and 25 s partitions outlast the coordinator's downing: the worker came back
      // as a fresh actor system after each.
      assertEquals(2, processes.stderr(name).lines()
          .filter(l -> l.contains("starting a fresh actor system")).count(),
          processes.stderr(name));
    }
    assertEquals(Runs.steps(reference), Runs.sameStepsAs(Runs.steps(reference),
        Runs.steps(run)), "bit for bit");
    // The partition really cut every worker off: the run waited for them and took them back.
    String err = processes.stderr("coordinator");
    assertTrue(err.contains("no worker left at step"), err);
    String log = Files.readString(run.resolve("steps.jsonl"));
    assertTrue(log.contains("became unreachable"), "the loss of the workers is logged");
    assertEquals("completed", Runs.summary(run).get("status").asText());
  }

  /** As {@link Processes#await}; on a timeout the message ends with each process's last lines. */
  private void awaitOrShowLogs(String what, Duration timeout,
      java.util.function.BooleanSupplier condition) throws Exception {
    try {
      Processes.await(what, timeout, condition);
    } catch (AssertionError e) {
      StringBuilder logs = new StringBuilder(e.getMessage());
      for (String name : List.of("coordinator", "w1", "w2")) {
        List<String> lines = processes.stderr(name).lines().toList();
        logs.append("\n--- ").append(name).append(":\n").append(String.join("\n",
            lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
      throw new AssertionError(logs.toString(), e);
    }
  }

  /** The workers of the run's {@code joined} events so far, in order (a torn line: not yet). */
  private static List<String> joined(Path run) {
    List<String> out = new ArrayList<>();
    try {
      Path f = run.resolve("steps.jsonl");
      for (String line : Files.exists(f) ? Files.readAllLines(f) : List.<String>of()) {
        if (line.contains("\"joined\"")) {
          try {
            for (JsonNode e : Json.MAPPER.readTree(line).get("reassignments")) {
              if ("joined".equals(e.get("reason").asText())) {
                out.add(e.get("worker").asText());
              }
            }
          } catch (IOException | RuntimeException torn) {
            break;
          }
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  private static List<String> joinedAfter(Path run, int first) {
    List<String> all = joined(run);
    return all.subList(Math.min(first, all.size()), all.size());
  }
}
