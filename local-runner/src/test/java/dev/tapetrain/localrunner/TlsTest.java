package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between real coordinator and worker JVMs on loopback, with certificates made by the
 * README's own keytool commands: a trusted worker with an allowed name trains to the same bits as
 * a plain run, while hundreds of idle connections neither exhaust the coordinator's files (under
 * a limit of 400) nor its CPU; a worker with a foreign certificate, one of the right CA for a
 * name not allowed, and a plain-TCP worker never join, and each refusal names why.
 */
class TlsTest extends ProcessTestBase {

  private static final String PASSWORD = "change-me";

  @TempDir
  static Path certs;

  @BeforeAll
  static void certificates() throws Exception {
    TestCertificates.fromReadme(certs.resolve("good"), "tapetrain");
    TestCertificates.fromReadme(certs.resolve("evil"), "evil");
    TestCertificates.signedBy(certs.resolve("good"), certs.resolve("named"), "evil.example.com");
  }

  @Override
  Processes configure(Processes fresh) {
    return fresh.withEnv("TAPETRAIN_KEYSTORE_PASSWORD", PASSWORD)
        .withEnv("TAPETRAIN_TRUSTSTORE_PASSWORD", PASSWORD);
  }

  private static String[] tls(String who) {
    return new String[] {"--tls-keystore", certs.resolve(who).resolve("node.p12").toString(),
        "--tls-truststore", certs.resolve("good").resolve("truststore.p12").toString()};
  }

  @Test
  void untrustedNotAllowedAndPlainWorkersNeverJoinAndSayWhy() throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("tls");
    List<String> args = new java.util.ArrayList<>(List.of("--port", "" + port, "--workers", "1",
        "--wait-timeout", "20", "--steps", "40", "--run-dir", run.toString(),
        "--tls-allowed-names", "tapetrain-*"));
    args.addAll(List.of(tls("good")));
    Process coordinator = processes.coordinator("coordinator", args.toArray(String[]::new));
    Process evil = processes.worker("evil", port, concat(tls("evil"), "--join-timeout", "10"));
    Process named = processes.worker("named", port, concat(tls("named"), "--join-timeout",
        "10"));
    processes.worker("plain", port);
    assertEquals(1, Processes.exitCode(coordinator, Duration.ofSeconds(90)),
        processes.stderr("coordinator"));
    assertEquals(1, Processes.exitCode(evil, Duration.ofSeconds(30)), processes.stderr("evil"));
    assertEquals(1, Processes.exitCode(named, Duration.ofSeconds(30)), processes.stderr("named"));
    String log = processes.stderr("coordinator");
    assertTrue(log.contains("only 0 of 1 workers joined"), log);
    // The plain worker never gets past the guard in front of the TLS port.
    assertTrue(log.contains("refused a connection from /127.0.0.1:"), log);
    assertTrue(log.contains("not a TLS connection"), log);
    // The other CA's worker offers its certificate anyway, so the coordinator names its issuer
    // once (repeats are counted, not printed), and the worker says which CA would be trusted.
    assertEquals(1, log.lines().filter(l -> !l.contains(" more ") && l.contains("refused a TLS "
        + "connection (inbound): the peer's certificate [CN=evil-node] issued by [CN=evil-ca] is "
        + "not trusted")).count(), log);
    String evilLog = processes.stderr("evil");
    // Logged once (the worker's closing line may quote it again as its reason).
    assertEquals(1, evilLog.lines().filter(l -> l.contains("WARN") && !l.contains(" more ")
        && l.contains("the peer "
        + "will refuse this node's certificate [CN=evil-node] issued by [CN=evil-ca]: it accepts "
        + "only certificates issued by [CN=tapetrain-ca]")).count(), evilLog);
    assertTrue(evilLog.contains("could not join the coordinator at 127.0.0.1:" + port
        + " within 10 s: the TLS handshake failed"), evilLog);
    assertTrue(!log.contains("Empty client certificate chain"), log);
    // The right CA, a name --tls-allowed-names does not allow: one line naming the name.
    assertEquals(1, log.lines().filter(l -> !l.contains(" more ") && l.contains("the peer's "
        + "certificate [CN=evil.example.com] issued by [CN=tapetrain-ca] is for "
        + "[evil.example.com], none of which --tls-allowed-names tapetrain-* allows")).count(), log);
    assertTrue(processes.stderr("named").contains("the TLS handshake failed"),
        processes.stderr("named"));
    for (String who : List.of("coordinator", "evil", "named", "plain")) {
      String err = processes.stderr(who);
      assertTrue(!err.contains("\tat "), "no stack trace for a refused peer: " + who + "\n" + err);
    }
    assertEquals("failed", Runs.summary(run).get("status").asText());
    assertEquals(0, Runs.steps(run).size(), "no step was computed");
  }

  /**
   * {@code count} connections that never send a byte, from 20 loopback addresses (so that the
   * cap on connections per address does not hide the cap on all of them).
   */
  private static List<Socket> idleConnections(int port, int count) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Socket s = new Socket();
      try {
        s.bind(new InetSocketAddress("127.0.0." + (2 + i % 20), 0));
      } catch (IOException noSuchAddress) {
        // Not Linux: every connection from 127.0.0.1.
      }
      try {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      } catch (IOException refused) {
        // The backlog overflowed for a moment: one connection fewer.
      }
      sockets.add(s);
    }
    return sockets;
  }

  /** Waits until the guard has closed every one of {@code sockets}; fails after {@code timeout}. */
  private static void awaitClosedByTheGuard(List<Socket> sockets, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Socket s : sockets) {
      while (s.isConnected() && !s.isClosed()) {
        s.setSoTimeout(50);
        try {
          if (s.getInputStream().read() < 0) {
            break;
          }
        } catch (SocketTimeoutException stillOpen) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("a connection that sent nothing was still open after "
                + timeout);
          }
        } catch (IOException reset) {
          break;
        }
      }
    }
  }

  @Test
  void aTrustedWorkerTrainsToTheSameBitsAsAPlainRunThroughHundredsOfIdleConnections()
      throws Exception {
    String[] job = {"--steps", "2000", "--log-every", "100"};
    Path local = dir.resolve("local");
    assertEquals(0, Runs.run(concat(job, "--run-dir", local.toString())).exitCode());
    int port = Processes.freePort();
    Path run = dir.resolve("tls");
    // 400 files: before the guard, 600 idle connections took them all (a flood of "Too many
    // open files" stack traces, no worker could join, the checkpoint could not be written).
    processes.withPrefix(List.of("sh", "-c", "ulimit -n 400 && exec \"$@\"", "sh"));
    // A 3 s handshake deadline instead of 10 s (a setting, tapetrain.guard.open-timeout): the
    // idle connections are gone sooner, and the line below shows the setting reached the guard.
    Process coordinator = processes.coordinatorWithJvm("coordinator",
        List.of("-Dtapetrain.guard.open-timeout=3s"), concat(concat(job, "--port", "" + port,
            "--workers", "1", "--run-dir", run.toString(), "--tls-allowed-names", "tapetrain-*"),
            tls("good")));
    processes.withPrefix(List.of());
    Processes.await("the coordinator listening", Duration.ofSeconds(60),
        () -> processes.stderrQuietly("coordinator").contains("waiting for 1 worker"));
    Thread.sleep(2000); // let start-up's JIT settle before measuring idle CPU
    double idleCpu = Processes.cpuOver(coordinator, 1.0);
    long files = Processes.openFiles(coordinator);
    long memory = Processes.residentMiB(coordinator);

    List<Socket> idle = idleConnections(port, 600);
    try {
      // Each is cut off at the guard's 3 s handshake deadline, or earlier to make room.
      awaitClosedByTheGuard(idle, Duration.ofSeconds(15));
      double cpu = Processes.cpuOver(coordinator, 1.0);
      assertTrue(cpu < idleCpu + 0.3, "CPU " + cpu + " s/s after, " + idleCpu + " before");
      assertTrue(Processes.openFiles(coordinator) <= files + 10,
          Processes.openFiles(coordinator) + " files open after, " + files + " before");
      assertTrue(Processes.residentMiB(coordinator) < memory + 200,
          Processes.residentMiB(coordinator) + " MiB after, " + memory + " before");

      Process worker = processes.worker("worker", port, concat(tls("good"),
          "--tls-allowed-names", "tapetrain-node"));
      Processes.await("training", Duration.ofSeconds(60),
          () -> processes.stdoutQuietly("coordinator").contains("Loss at step 100"));
      idle.addAll(idleConnections(port, 300)); // and again while it trains

      assertEquals(0, Processes.exitCode(coordinator, Duration.ofSeconds(120)),
          processes.stderr("coordinator"));
      assertEquals(0, Processes.exitCode(worker, Duration.ofSeconds(30)),
          processes.stderr("worker"));
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
    assertEquals(Runs.steps(local), Runs.steps(run), "every step bit for bit");
    String log = processes.stderr("coordinator");
    assertTrue(log.contains("(TLS, mutual authentication)"), log);
    assertTrue(!log.contains("Too many open files") && !log.contains("\tat "), log);
    assertTrue(log.lines().filter(l -> l.contains("FrameGuard")).count() <= 8,
        "a few lines for 900 refused connections:\n" + log);
    assertTrue(log.contains("more refused connection(s) in the last 60 s"), log);
    assertTrue(log.contains("did not open within 3 s (TLS handshake)"), log);
  }
}
