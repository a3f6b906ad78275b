package dev.tapetrain.localrunner;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Starts tapetrain processes (coordinator, workers) from the test class path on loopback, and
 * kills every one of them in {@link #close()}, which tests call from {@code @AfterEach} so that
 * nothing outlives a failing test.
 */
final class Processes implements AutoCloseable {

  private final Path logDir;
  private final List<Process> started = new ArrayList<>();
  /** Each started process's stderr file, so that a timeout can show what it was doing. */
  private static final java.util.Map<Process, Path> STDERR =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  Processes(Path logDir) {
    this.logDir = logDir;
  }

  /** A port that was free a moment ago. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  Process coordinator(String name, String... args) throws IOException {
    return start(name, "dev.tapetrain.coordinator.CoordinatorMain", args);
  }

  /** A coordinator with extra JVM options (e.g. {@code -Dtapetrain.guard.…} settings). */
  Process coordinatorWithJvm(String name, List<String> jvmOptions, String... args)
      throws IOException {
    return start(name, jvmOptions, "dev.tapetrain.coordinator.CoordinatorMain", args);
  }

  /** {@code tapetrain launch}: the role comes from the environment ({@link #withEnv}). */
  Process launch(String name, String... args) throws IOException {
    return start(name, "dev.tapetrain.localrunner.Launch", args);
  }

  Process localRunner(String name, String... args) throws IOException {
    return start(name, "dev.tapetrain.localrunner.LocalRunner", args);
  }

  /**
   * A local-runner run that trains for ever (one worker, a checkpoint and a logged line every
   * 1000 steps) into {@code run}, returned once its first checkpoint exists: a live run for
   * tests that look at one from outside.
   */
  Process trainingPastACheckpoint(String name, Path run) throws IOException, InterruptedException {
    Process trainer = localRunner(name, "--steps", "100000000", "--workers", "1",
        "--checkpoint-every", "1000", "--log-every", "1000", "--run-dir", run.toString());
    await("a checkpoint", Duration.ofSeconds(60),
        () -> Files.exists(run.resolve("checkpoint.pb")));
    return trainer;
  }

  /** local-runner with extra JVM options (e.g. a small {@code -Xmx}, which wins over ours). */
  Process localRunnerWithJvm(String name, List<String> jvmOptions, String... args)
      throws IOException {
    return start(name, jvmOptions, "dev.tapetrain.localrunner.LocalRunner", args);
  }

  private final java.util.Map<String, String> env = new java.util.HashMap<>();
  private List<String> prefix = List.of();
  private String dropFromClassPath;

  /**
   * Leaves class-path entries ending in {@code suffix} out of every process started from now on
   * (null: none), e.g. a worker without the test's own classes (and so without its models).
   */
  Processes withoutClassPath(String suffix) {
    dropFromClassPath = suffix;
    return this;
  }

  private String extraClassPath;

  /** Adds {@code entry} (a jar) to the class path of every process started from now on. */
  Processes withClassPath(String entry) {
    extraClassPath = entry;
    return this;
  }

  /**
   * A command that every process started from now on runs under, e.g.
   * {@code ip netns exec NAME} (it must exec the JVM, so killing the process kills the JVM).
   */
  Processes withPrefix(List<String> command) {
    prefix = List.copyOf(command);
    return this;
  }

  private boolean terminal;

  /**
   * Runs every process started from now on under a pseudo-terminal (util-linux {@code script}),
   * so its stdout and stderr are a terminal; both end up in the {@code .out} log.
   */
  Processes inTerminal() {
    terminal = true;
    return this;
  }

  /** Environment variables for every process started from now on. */
  Processes withEnv(String name, String value) {
    env.put(name, value);
    return this;
  }

  Process worker(String name, int coordinatorPort, String... extra) throws IOException {
    return worker(name, "127.0.0.1", coordinatorPort, "127.0.0.1", extra);
  }

  /** A worker on {@code host} joining the coordinator at {@code coordinatorHost}. */
  Process worker(String name, String coordinatorHost, int coordinatorPort, String host,
      String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--join", coordinatorHost + ":" + coordinatorPort,
        "--host", host));
    if (!List.of(extra).contains("--port")) {
      args.addAll(List.of("--port", "0"));
    }
    args.addAll(List.of(extra));
    return start(name, "dev.tapetrain.worker.WorkerMain", args.toArray(String[]::new));
  }

  private Process start(String name, String main, String... args) throws IOException {
    return start(name, List.of(), main, args);
  }

  private Process start(String name, List<String> jvmOptions, String main, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    String cp = classPath();
    if (dropFromClassPath != null) {
      cp = String.join(File.pathSeparator, java.util.Arrays.stream(cp.split(File.pathSeparator))
          .filter(e -> !e.endsWith(dropFromClassPath)).toList());
    }
    if (extraClassPath != null) {
      cp = extraClassPath + File.pathSeparator + cp;
    }
    cmd.add(cp);
    cmd.add(main);
    cmd.addAll(List.of(args));
    if (terminal) {
      String line = String.join(" ", cmd.stream()
          .map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
      cmd = new ArrayList<>(List.of("script", "-qefc", line, "/dev/null"));
    }
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.environment().putAll(env);
    Process p = builder
        .redirectOutput(logDir.resolve(name + ".out").toFile())
        .redirectError(logDir.resolve(name + ".err").toFile())
        .start();
    started.add(p);
    STDERR.put(p, logDir.resolve(name + ".err"));
    return p;
  }

  String stderr(String name) throws IOException {
    return Files.readString(logDir.resolve(name + ".err"));
  }

  String stdout(String name) throws IOException {
    return Files.readString(logDir.resolve(name + ".out"));
  }

  /** Standard output so far, or "" while it cannot be read. */
  String stdoutQuietly(String name) {
    try {
      return stdout(name);
    } catch (IOException e) {
      return "";
    }
  }

  /** Standard error so far, or "" while it cannot be read. */
  String stderrQuietly(String name) {
    try {
      return stderr(name);
    } catch (IOException e) {
      return "";
    }
  }

  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return String.join(File.pathSeparator, cp.split(File.pathSeparator));
  }

  /** Waits for {@code p} to exit and returns its exit code; fails after {@code timeout}. */
  static int exitCode(Process p, Duration timeout) throws InterruptedException {
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process did not exit within " + timeout + diagnosis(p));
    }
    return p.exitValue();
  }

  /**
   * What a process that did not exit was doing: the end of its stderr and its threads (a rare
   * hang on a loaded CI machine cannot be rerun; its logs are deleted with the test's folder).
   */
  private static String diagnosis(Process p) throws InterruptedException {
    StringBuilder b = new StringBuilder();
    try {
      Path err = STDERR.get(p);
      if (err != null && Files.exists(err)) {
        List<String> lines = Files.readAllLines(err);
        b.append("\n--- its stderr (last 60 lines) ---\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
      }
      Process dump = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          "" + p.pid(), "Thread.print").redirectErrorStream(true).start();
      String threads = new String(dump.getInputStream().readAllBytes());
      dump.waitFor(20, TimeUnit.SECONDS);
      b.append("\n--- its threads ---\n")
          .append(threads, 0, Math.min(threads.length(), 40_000));
    } catch (IOException | RuntimeException e) {
      b.append("\n(no diagnosis: ").append(e).append(')');
    }
    return b.toString();
  }

  /** Polls {@code condition} every 50 ms until it holds; fails after {@code timeout}. */
  static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Lines in a run's steps.jsonl so far (0 if it does not exist yet). */
  static long stepLines(Path runDir) {
    try {
      Path f = runDir.resolve("steps.jsonl");
      return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static double cpuSeconds(Process p) {
    return p.toHandle().info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
  }

  /** CPU seconds {@code p} uses over {@code seconds} of wall time. */
  static double cpuOver(Process p, double seconds) throws InterruptedException {
    double before = cpuSeconds(p);
    Thread.sleep((long) (seconds * 1000));
    return cpuSeconds(p) - before;
  }

  /** The files (sockets included) {@code p} has open, from /proc (Linux). */
  static long openFiles(Process p) throws IOException {
    try (var fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
      return fds.count();
    }
  }

  /** The resident memory of {@code p} in MiB, from /proc (Linux). */
  static long residentMiB(Process p) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IOException("no VmRSS for " + p.pid());
  }

  /** kill -9: {@link Process#destroyForcibly()} sends SIGKILL on Linux. */
  /**
   * Stops {@code p} where it is (SIGSTOP): it keeps what it holds (its run lock) and does no
   * more work, so a test does not race a process that may finish first on a fast machine.
   * {@link #kill9} still ends it.
   */
  static void pause(Process p) throws Exception {
    Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).start();
    if (!stop.waitFor(10, TimeUnit.SECONDS) || stop.exitValue() != 0) {
      throw new AssertionError("kill -STOP " + p.pid() + " failed");
    }
  }

  static void kill9(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : started) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
