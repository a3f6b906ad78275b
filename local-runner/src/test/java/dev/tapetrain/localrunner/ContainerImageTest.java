package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/container/Containerfile: the image of the three roles, built with podman and run as a
 * coordinator and two worker containers on a podman network, each given only the operators'
 * variables ({@code launch}), to local-runner's bits; then {@code podman stop} (SIGTERM) ends a
 * training container's run as Ctrl-C does, and the run resumes. Skipped, with the reason, where podman or
 * the offline base image (deploy/container/make-base.sh, made once and cached in podman's store)
 * is missing or containers cannot run here. The image is built from this build's classes (the
 * real jars exist only after {@code mvn package}): {@code lib/MODULE.jar} holds a manifest whose
 * class path points into {@code lib/cp/}, which holds the build's class path.
 */
class ContainerImageTest extends ProcessTestBase {

  private static final String BASE = System.getenv().getOrDefault("TAPETRAIN_CONTAINER_BASE",
      "localhost/tapetrain-base:bookworm-jre17");
  private static final String TAG = "localhost/tapetrain-test:" + ProcessHandle.current().pid();
  // Below this machine's limits: a root without CAP_SYS_RESOURCE cannot raise them (podman's
  // defaults would), and runc, unlike crun, runs on a hybrid cgroup v1/v2 host.
  private static final List<String> RUN = List.of("podman", "--runtime", "runc", "run",
      "--ulimit", "nofile=8192:8192", "--ulimit", "nproc=8192:8192");

  private final List<List<String>> cleanup = new ArrayList<>();

  @AfterEach
  void removeContainersNetworkVolumeAndImage() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      podman(60, cleanup.get(i));
    }
  }

  /** Runs {@code cmd}; returns its exit code and output (stdout then stderr). */
  private record Ran(int code, String out) {}

  private Ran podman(int seconds, List<String> cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, "podman", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      return new Ran(-1, "timed out after " + seconds + " s: " + String.join(" ", cmd));
    }
    return new Ran(p.exitValue(), Files.readString(log));
  }

  private static List<String> concatList(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(Arrays.asList(b));
    return all;
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void threeContainersGiveLocalRunnersBitsAndSigtermStopsARunAsCtrlCDoes()
      throws Exception {
    Ran version = podman(30, List.of("sh", "-c", "command -v podman && command -v runc"));
    Assumptions.assumeTrue(version.code() == 0, "podman or runc is not installed "
        + "(apt-get install -y podman runc): the container image is not tested");
    Ran base = podman(30, List.of("podman", "image", "exists", BASE));
    Assumptions.assumeTrue(base.code() == 0, "the base image " + BASE + " is not in podman's "
        + "store: make it once with deploy/container/make-base.sh (about 6 minutes, then cached)"
        + " or set TAPETRAIN_CONTAINER_BASE");
    Ran probe = podman(60, concatList(RUN, "--rm", "--entrypoint", "java", BASE, "-version"));
    Assumptions.assumeTrue(probe.code() == 0, "containers cannot run here: "
        + probe.out().strip().replace('\n', ' '));

    Path context = stageContext();
    Ran build = podman(120, List.of("podman", "build", "-q", "--build-arg", "BASE=" + BASE,
        "-f", repo().resolve("deploy/container/Containerfile").toString(), "-t", TAG,
        context.toString()));
    cleanup.add(List.of("podman", "rmi", "-f", TAG));
    assertEquals(0, build.code(), build.out());

    String id = "tt" + ProcessHandle.current().pid();
    int subnet = 100 + (int) (ProcessHandle.current().pid() % 100);
    String prefix = "10.89." + subnet + ".";
    Ran net = podman(30, List.of("podman", "network", "create", "--subnet", prefix + "0/24",
        id));
    cleanup.add(List.of("podman", "network", "rm", "-f", id));
    assertEquals(0, net.code(), net.out());
    Ran volume = podman(30, List.of("podman", "volume", "create", id));
    cleanup.add(List.of("podman", "volume", "rm", "-f", id));
    assertEquals(0, volume.code(), volume.out());

    // Every container runs one command; the operators' variables make rank 0 the coordinator.
    for (int rank = 0; rank < 3; rank++) {
      String name = id + "-" + rank;
      cleanup.add(0, List.of("podman", "rm", "-f", "-t", "0", name));
      Ran started = podman(60, concatList(RUN, "-d", "--name", name, "--network", id,
          "--ip", prefix + (10 + rank), "--hostname", name, "-v", id + ":/runs",
          "-e", "MASTER_ADDR=" + prefix + "10", "-e", "MASTER_PORT=2551",
          "-e", "WORLD_SIZE=3", "-e", "RANK=" + rank,
          TAG, "launch", "--run-dir", "/runs/job", "--join-timeout", "60"));
      assertEquals(0, started.code(), started.out());
    }
    for (int rank = 0; rank < 3; rank++) {
      Ran waited = podman(120, List.of("podman", "wait", id + "-" + rank));
      Ran logs = podman(30, List.of("podman", "logs", id + "-" + rank));
      assertEquals("0", waited.out().strip(), "rank " + rank + ": " + logs.out());
    }
    Ran logs = podman(30, List.of("podman", "logs", id + "-0"));
    assertTrue(logs.out().contains("W = 3.0981413427134927, B = 2.1183506602882813"),
        logs.out());

    Path reference = dir.resolve("reference");
    assertEquals(0, Runs.run("--run-dir", reference.toString()).exitCode());
    Path run = Path.of(podman(30, List.of("podman", "volume", "inspect", "--format",
        "{{.Mountpoint}}", id)).out().strip()).resolve("job");
    assertEquals(Runs.steps(reference), Runs.steps(run), "bit for bit");
    assertEquals("completed", Runs.summary(run).get("status").asText());
    assertEquals(10001, (int) Files.getAttribute(run.resolve("checkpoint.pb"), "unix:uid"),
        "written by the image's non-root user");

    // 'podman stop' (as a pod's end) sends SIGTERM to PID 1, the JVM bin/tapetrain exec'd: the
    // run ends as on Ctrl-C, with its checkpoint, status interrupted and exit 130, resumable.
    String long1 = id + "-long";
    cleanup.add(0, List.of("podman", "rm", "-f", "-t", "0", long1));
    Ran started = podman(60, concatList(RUN, "-d", "--name", long1, "-v", id + ":/runs", TAG,
        "train", "--steps", "3000", "--examples", "100000", "--checkpoint-every", "50",
        "--log-every", "100", "--run-dir", "/runs/long"));
    assertEquals(0, started.code(), started.out());
    Path stopped = run.resolveSibling("long");
    Processes.await("a checkpoint", java.time.Duration.ofSeconds(60),
        () -> Files.exists(stopped.resolve("checkpoint.pb")));
    assertEquals(0, podman(60, List.of("podman", "stop", "-t", "30", long1)).code());
    assertEquals("130", podman(30, List.of("podman", "wait", long1)).out().strip());
    String said = podman(30, List.of("podman", "logs", long1)).out();
    assertTrue(said.contains("continue with: --resume /runs/long"), said);
    assertEquals("interrupted", Runs.summary(stopped).get("status").asText());
    long at = Runs.summary(stopped).get("steps").asLong();
    assertTrue(at > 0 && at < 3000, "stopped mid-run, after " + at + " steps");
    Ran resumed = podman(120, concatList(RUN, "--rm", "-v", id + ":/runs", TAG, "train",
        "--resume", "/runs/long"));
    assertEquals(0, resumed.code(), resumed.out());
    assertEquals("completed", Runs.summary(stopped).get("status").asText());
    List<Runs.Step> steps = Runs.steps(stopped);
    assertEquals(steps.stream().map(Runs.Step::step).distinct().count(), steps.size(),
        "every step logged once");
  }

  private static Path repo() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("bin/tapetrain")) ? here : here.getParent();
  }

  /**
   * The build context the Containerfile expects: bin/tapetrain, lib/ with the three jars, runs/.
   * Test-only libraries are left out.
   */
  private Path stageContext() throws IOException {
    Path context = dir.resolve("context");
    Files.createDirectories(context.resolve("bin"));
    Files.createDirectories(context.resolve("lib/cp"));
    Files.createDirectories(context.resolve("runs"));
    Path script = context.resolve("bin/tapetrain");
    Files.copy(repo().resolve("bin/tapetrain"), script);
    script.toFile().setExecutable(true, false);
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String e : cp.split(File.pathSeparator)) {
      Path p = Path.of(e);
      String name = p.getFileName().toString();
      if (e.isBlank() || !Files.exists(p) || name.startsWith("junit-")
          || name.startsWith("opentest4j") || name.startsWith("apiguardian")
          || name.startsWith("onnxruntime") || name.equals("test-classes")
          || name.startsWith("akka-actor-testkit")) {
        continue;
      }
      String target = "cp/" + n++ + (Files.isDirectory(p) ? "/" : ".jar");
      copy(p, context.resolve("lib").resolve(target));
      entries.add(target);
    }
    for (String module : List.of("local-runner", "coordinator", "worker")) {
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
      try (OutputStream out = Files.newOutputStream(context.resolve("lib/" + module + ".jar"));
          JarOutputStream ignored = new JarOutputStream(out, manifest)) {
        // the manifest is the whole jar
      }
    }
    Files.writeString(context.resolve("runs/.keep"), "", StandardCharsets.UTF_8);
    return context;
  }

  private static void copy(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
