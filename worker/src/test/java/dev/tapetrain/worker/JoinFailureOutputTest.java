package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker whose coordinator is not there prints its own lines only (where it is, what it joins,
 * why it gave up), not Akka's warnings about the join first; they are still there with
 * {@code -Dtapetrain.log.level=INFO}. Loopback, a free port nobody listens on.
 */
class JoinFailureOutputTest {

  @TempDir
  Path dir;

  @Test
  void aWorkerThatCannotJoinPrintsOnlyItsOwnLinesByDefault() throws Exception {
    int port = freePort();
    Run run = worker("default", port, List.of());
    assertEquals(1, run.exit, run.text);
    assertTrue(run.text.contains("worker: could not join the coordinator at 127.0.0.1:" + port
        + " within 2 s"), run.text);
    for (String line : run.text.lines().toList()) {
      assertTrue(line.startsWith("worker at akka://") || line.startsWith("worker: could not join"),
          "only the worker's own lines: " + line + "\n" + run.text);
      assertTrue(!line.contains("WARN") && !line.contains("akka.") && !line.contains("a.cluster")
          && !line.contains("a.r.a."), line);
    }
  }

  @Test
  void akkasJoinWarningsShowWithARaisedLogLevel() throws Exception {
    int port = freePort();
    Run run = worker("info", port, List.of("-Dtapetrain.log.level=INFO"));
    assertEquals(1, run.exit, run.text);
    assertTrue(run.text.lines().anyMatch(l -> l.contains("WARN")
        && l.contains("Joining of seed-nodes [akka://tapetrain@127.0.0.1:" + port + "]")),
        run.text);
  }

  /**
   * A coordinator listening as 127.0.0.1 (an actor system of this JVM's, as the coordinator's
   * default --host) drops a handshake addressed to localhost: the worker says so and which
   * --join to use, not that nothing answered.
   */
  @Test
  void joiningLocalhostForA127CoordinatorSaysToNameItAsItsHost() throws Exception {
    int port = freePort();
    akka.actor.typed.ActorSystem<Void> coordinator = akka.actor.typed.ActorSystem.create(
        akka.actor.typed.javadsl.Behaviors.empty(), "tapetrain",
        com.typesafe.config.ConfigFactory.parseString("akka.actor.provider = cluster\n"
            + "akka.remote.artery.canonical.hostname = 127.0.0.1\n"
            + "akka.remote.artery.canonical.port = " + port + "\n"
            + "akka.loglevel = OFF\n").withFallback(com.typesafe.config.ConfigFactory.load()));
    try {
      Run run = worker("localhost", "localhost:" + port, List.of());
      assertEquals(1, run.exit, run.text);
      assertTrue(run.text.contains("worker: could not join the coordinator at localhost:" + port
          + " within 2 s: something listens at localhost:" + port + " (127.0.0.1) but no "
          + "coordinator answered to the name 'localhost': Akka needs --join to name the "
          + "coordinator exactly as its --host does (e.g. --join 127.0.0.1:" + port), run.text);
    } finally {
      coordinator.terminate();
      coordinator.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private record Run(int exit, String text) {}

  private Run worker(String name, int port, List<String> jvmOptions) throws Exception {
    return worker(name, "127.0.0.1:" + port, jvmOptions);
  }

  private Run worker(String name, String join, List<String> jvmOptions) throws Exception {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp.split(File.pathSeparator)),
        WorkerMain.class.getName(), "--join", join, "--join-timeout", "2"));
    Path out = dir.resolve(name + ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    try {
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), name + " did not finish");
      return new Run(p.exitValue(), Files.readString(out));
    } finally {
      p.destroyForcibly();
    }
  }

  /** A loopback port that was free a moment ago and that nothing listens on now. */
  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
