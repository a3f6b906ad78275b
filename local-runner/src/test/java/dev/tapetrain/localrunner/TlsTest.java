package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between real coordinator and worker JVMs on loopback, with certificates made by the
 * README's own keytool commands: a trusted worker trains to the same bits as a plain run; a
 * worker with a foreign certificate and a plain-TCP worker never join.
 */
class TlsTest extends ProcessTestBase {

  private static final String PASSWORD = "change-me";

  @TempDir
  static Path certs;

  /** Runs the README's "make-certs" block in {@code into}, with CA and node names changed. */
  private static void makeCerts(Path into, String prefix) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("# make-certs");
    String block = readme.substring(start, readme.indexOf("```", start))
        .replace("CN=tapetrain-", "CN=" + prefix + "-");
    Files.createDirectories(into);
    Path script = into.resolve("make-certs.sh");
    Files.writeString(script, block);
    ProcessBuilder pb = new ProcessBuilder("bash", "-e", script.toString())
        .directory(into.toFile()).redirectErrorStream(true)
        .redirectOutput(into.resolve("make-certs.log").toFile());
    String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
    pb.environment().put("PATH", javaBin + java.io.File.pathSeparator
        + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "keytool commands finished");
    assertEquals(0, p.exitValue(), Files.readString(into.resolve("make-certs.log")));
  }

  @BeforeAll
  static void certificates() throws Exception {
    makeCerts(certs.resolve("good"), "tapetrain");
    makeCerts(certs.resolve("evil"), "evil");
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
  void aTrustedWorkerTrainsToTheSameBitsAsAPlainRun() throws Exception {
    Path local = dir.resolve("local");
    assertEquals(0, Runs.run("--steps", "40", "--run-dir", local.toString()).exitCode());
    int port = Processes.freePort();
    Path run = dir.resolve("tls");
    List<String> args = new java.util.ArrayList<>(List.of("--port", "" + port, "--workers", "1",
        "--steps", "40", "--run-dir", run.toString()));
    args.addAll(List.of(tls("good")));
    Process coordinator = processes.coordinator("coordinator", args.toArray(String[]::new));
    Process worker = processes.worker("worker", port, tls("good"));
    assertEquals(0, Processes.exitCode(coordinator, Duration.ofSeconds(90)),
        processes.stderr("coordinator"));
    assertEquals(0, Processes.exitCode(worker, Duration.ofSeconds(20)), processes.stderr("worker"));
    assertTrue(processes.stderr("coordinator").contains("(TLS, mutual authentication)"));
    List<Runs.Step> expected = Runs.steps(local);
    List<Runs.Step> actual = Runs.steps(run);
    assertEquals(expected, actual, "every step bit for bit (records compare doubles exactly)");
  }

  @Test
  void untrustedAndPlainWorkersNeverJoinWhileTheCoordinatorWaits() throws Exception {
    int port = Processes.freePort();
    Path run = dir.resolve("tls");
    List<String> args = new java.util.ArrayList<>(List.of("--port", "" + port, "--workers", "1",
        "--wait-timeout", "20", "--steps", "40", "--run-dir", run.toString()));
    args.addAll(List.of(tls("good")));
    Process coordinator = processes.coordinator("coordinator", args.toArray(String[]::new));
    processes.worker("evil", port, tls("evil"));
    processes.worker("plain", port);
    assertEquals(1, Processes.exitCode(coordinator, Duration.ofSeconds(90)),
        processes.stderr("coordinator"));
    String log = processes.stderr("coordinator");
    assertTrue(log.contains("only 0 of 1 workers joined"), log);
    assertTrue(log.contains("refused a TLS connection (inbound): Unrecognized SSL message"), log);
    assertTrue(log.contains("refused a TLS connection (inbound): Empty client certificate chain")
        || log.contains("is not trusted"), log);
    assertEquals("failed", Runs.summary(run).get("status").asText());
    assertEquals(0, Runs.steps(run).size(), "no step was computed");
  }
}
