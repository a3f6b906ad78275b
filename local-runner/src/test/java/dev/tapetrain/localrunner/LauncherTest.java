package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tapetrain}, run as a user runs it: from an installation ({@code bin/} and
 * {@code lib/}) made of the repository's script and jars that point at this build's classes
 * (the real jars exist only after {@code mvn package}), with the real JDKs of the machine and
 * fake {@code java} commands that show what the script hands the JVM.
 */
class LauncherTest {

  private static final String BITS = "W = 3.0981413427134927, B = 2.1183506602882813";
  private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  @TempDir
  Path dir;

  private Path home;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void install() throws IOException {
    home = dir.resolve("tapetrain home");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("lib"));
    Path source = Path.of("..", "bin", "tapetrain");
    assertTrue(Files.isExecutable(source), "bin/tapetrain must be executable (in git too)");
    Files.copy(source, home.resolve("bin/tapetrain"), StandardCopyOption.COPY_ATTRIBUTES);
    for (String module : List.of("local-runner", "coordinator", "worker")) {
      pathingJar(home.resolve("lib/" + module + ".jar"));
    }
  }

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void trainPrintsTheTutorialsBitsWithTheTestsJdk() throws Exception {
    // JAVA_OPTS reaches the JVM: C1 only, quicker for a short run (and the bits are the same).
    Result r = run(Map.of("JAVA_HOME", System.getProperty("java.home"),
        "JAVA_OPTS", "-XX:TieredStopAtLevel=1 -Xmx256m"), "train", "--run-dir", "runs/tutorial");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.strip().endsWith(BITS), r.out);
    assertEquals("run directory: runs/tutorial\n", r.err);
  }

  @Test
  void trainOnJdk25PrintsNoWarning() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(JDK25.resolve("bin/java")),
        "no JDK 25 at " + JDK25);
    Result r = run(Map.of("JAVA_HOME", JDK25.toString()), "train", "--steps", "3",
        "--run-dir", "runs/jdk25");
    assertEquals(0, r.code, r.err);
    // Without the script's flag JDK 25 prints four lines about sun.misc.Unsafe here.
    assertEquals("run directory: runs/jdk25\n", r.err);
    assertTrue(r.out.startsWith("Initial loss: 68.881\n"), r.out);
  }

  @Test
  void aJavaOlderThan17IsRefusedInOneLine() throws Exception {
    Path old = fakeJava("old", "11.0.2");
    Result r = run(Map.of("JAVA_HOME", old.toString()), "train");
    assertEquals(2, r.code);
    assertEquals("tapetrain: " + old.resolve("bin/java") + " is Java 11.0.2; tapetrain needs "
        + "Java 17 or later (set JAVA_HOME)\n", r.err);
    assertFalse(Files.exists(dir.resolve("runs")));
    assertEquals(2, run(Map.of("JAVA_HOME", fakeJava("java8", "1.8.0_392").toString()),
        "train").code);
  }

  @Test
  void noJavaAtAllIsRefusedInOneLine() throws Exception {
    // A PATH with the tools the script uses and no java.
    Path tools = Files.createDirectories(dir.resolve("tools"));
    for (String tool : List.of("sed", "head", "dirname", "readlink")) {
      Path real = List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)).stream()
          .filter(Files::isExecutable).findFirst().orElseThrow();
      Files.createSymbolicLink(tools.resolve(tool), real);
    }
    Result r = run(Map.of("PATH", tools.toString()), "train");
    assertEquals(2, r.code);
    assertEquals("tapetrain: no java on the PATH and JAVA_HOME is not set; install Java 17 or "
        + "later\n", r.err);
    Result missing = run(Map.of("JAVA_HOME", dir.resolve("nowhere").toString()), "train");
    assertEquals(2, missing.code);
    assertEquals(1, missing.err.lines().count(), missing.err);
    assertTrue(missing.err.contains("JAVA_HOME=" + dir.resolve("nowhere")), missing.err);
  }

  @Test
  void aMissingJarIsNamedWithTheBuildCommand() throws Exception {
    Files.delete(home.resolve("lib/worker.jar"));
    Result r = run(Map.of(), "worker", "--join", "127.0.0.1:2551");
    assertEquals(2, r.code);
    assertEquals(1, r.err.lines().count(), r.err);
    assertTrue(r.err.contains("no worker.jar in " + home + "/lib"), r.err);
    assertTrue(r.err.contains("mvn -q package -DskipTests"), r.err);
  }

  @Test
  void execsJavaWithTheArchiveTheJdk24FlagAndJavaOpts() throws Exception {
    Files.writeString(home.resolve("lib/local-runner.jsa"), "an archive");
    Path java25 = fakeJava("new", "25.0.1");
    Result r = run(Map.of("JAVA_HOME", java25.toString(), "JAVA_OPTS", "-Xmx64m -Dglob=*"),
        "train", "--run-dir", "a dir with spaces");
    assertEquals(0, r.code, r.err);
    List<String> lines = r.out.lines().toList();
    // exec: the JVM is the script's own process, so signals reach it.
    assertEquals("pid " + r.pid, lines.get(0));
    assertEquals(List.of(
        "-XX:SharedArchiveFile=" + home.resolve("lib/local-runner.jsa"), "-Xlog:cds=off",
        "-Dsun.misc.unsafe.memory.access=allow", "-Dtapetrain.launcher=bin/tapetrain",
        "-Xmx64m", "-Dglob=*",
        "-cp", home.resolve("lib/local-runner.jar").toString(),
        "dev.tapetrain.localrunner.LocalRunner", "--run-dir", "a dir with spaces"),
        args(lines));

    Path java17 = fakeJava("jdk17", "17.0.15");
    Result worker = run(Map.of("JAVA_HOME", java17.toString()), "worker", "--join", "h:1");
    assertEquals(List.of("-Dtapetrain.launcher=bin/tapetrain", "-cp",
        home.resolve("lib/worker.jar").toString(),
        "dev.tapetrain.worker.WorkerMain", "--join", "h:1"), args(worker.out.lines().toList()));
    Result inspect = run(Map.of("JAVA_HOME", java17.toString()), "inspect", "runs/x");
    assertEquals(List.of("-XX:SharedArchiveFile=" + home.resolve("lib/local-runner.jsa"),
        "-Xlog:cds=off", "-Dtapetrain.launcher=bin/tapetrain", "-cp",
        home.resolve("lib/local-runner.jar").toString(),
        "dev.tapetrain.localrunner.LocalRunner", "inspect", "runs/x"),
        args(inspect.out.lines().toList()));
    Result coordinator = run(Map.of("JAVA_HOME", java17.toString()), "coordinator");
    assertTrue(coordinator.out.contains("arg dev.tapetrain.coordinator.CoordinatorMain"),
        coordinator.out);
    Result launch = run(Map.of("JAVA_HOME", java17.toString()), "launch");
    assertTrue(launch.out.contains("arg dev.tapetrain.localrunner.Launch"), launch.out);
  }

  /**
   * A user's model jar reaches every command through TAPETRAIN_CLASSPATH, after tapetrain's own
   * jar (the class-data archive stays usable, our classes win), with the archive, the JDK 24
   * flag and the launcher property as before (JAVA_OPTS' -cp was overridden by ours).
   */
  @Test
  void tapetrainClasspathGoesAfterOurJarAndKeepsTheRest() throws Exception {
    Files.writeString(home.resolve("lib/local-runner.jsa"), "an archive");
    Path java25 = fakeJava("new", "25.0.1");
    String extra = dir.resolve("my models/huber.jar") + ":/opt/more.jar";
    Result r = run(Map.of("JAVA_HOME", java25.toString(), "TAPETRAIN_CLASSPATH", extra),
        "predict", "runs/huber", "--data", "new.csv");
    assertEquals(0, r.code, r.err);
    assertEquals(List.of(
        "-XX:SharedArchiveFile=" + home.resolve("lib/local-runner.jsa"), "-Xlog:cds=off",
        "-Dsun.misc.unsafe.memory.access=allow", "-Dtapetrain.launcher=bin/tapetrain",
        "-cp", home.resolve("lib/local-runner.jar") + ":" + extra,
        "dev.tapetrain.localrunner.LocalRunner", "predict", "runs/huber", "--data", "new.csv"),
        args(r.out.lines().toList()));
    Result worker = run(Map.of("JAVA_HOME", fakeJava("jdk17", "17.0.15").toString(),
        "TAPETRAIN_CLASSPATH", extra), "worker", "--join", "h:1");
    assertTrue(worker.out.contains("arg " + home.resolve("lib/worker.jar") + ":" + extra + "\n"),
        worker.out);
    Result empty = run(Map.of("JAVA_HOME", fakeJava("jdk17b", "17.0.15").toString(),
        "TAPETRAIN_CLASSPATH", ""), "coordinator");
    assertTrue(empty.out.contains("arg " + home.resolve("lib/coordinator.jar") + "\n"),
        empty.out);
  }

  @Test
  void aLinkToTheScriptFindsTheInstallation() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("tapetrain"), home.resolve("bin/tapetrain"));
    Path java17 = fakeJava("jdk17", "17.0.15");
    Result r = runScript(link, Map.of("JAVA_HOME", java17.toString()), "train");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.contains("arg " + home.resolve("lib/local-runner.jar")), r.out);
  }

  @Test
  void helpListsTheCommandsAndMistakesExitWith2() throws Exception {
    Result help = run(Map.of(), "--help");
    assertEquals(0, help.code);
    for (String command : List.of("train", "coordinator", "worker", "inspect", "predict",
        "export", "launch")) {
      assertTrue(help.out.contains("\n  " + command + " "), help.out);
    }
    Result none = run(Map.of());
    assertEquals(2, none.code);
    assertTrue(none.err.startsWith("usage: tapetrain COMMAND"), none.err);
    Result unknown = run(Map.of(), "trian");
    assertEquals(2, unknown.code);
    assertEquals(1, unknown.err.lines().count(), unknown.err);
    assertTrue(unknown.err.startsWith("tapetrain: unknown command 'trian'"), unknown.err);
  }

  @Test
  void shellcheckFindsNothing() throws Exception {
    Assumptions.assumeTrue(onPath("shellcheck"), "shellcheck is not installed (.ci/run "
        + "installs it)");
    Process p = start(new ProcessBuilder("shellcheck", Path.of("..", "bin", "tapetrain")
        .toString()).redirectErrorStream(true));
    String report = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), report);
  }

  /** The arguments the fake java printed, in order. */
  private static List<String> args(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("arg ")).map(l -> l.substring(4)).toList();
  }

  /**
   * A JAVA_HOME whose {@code bin/java} claims {@code version} and, run with anything but
   * {@code -version}, prints its pid and its arguments one per line.
   */
  private Path fakeJava(String name, String version) throws IOException {
    Path jdk = dir.resolve("fake-" + name);
    Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n"
        + "if [ \"$1\" = -version ]; then\n"
        + "  echo 'openjdk version \"" + version + "\" 2025-10-21' >&2\n"
        + "  exit 0\n"
        + "fi\n"
        + "echo \"pid $$\"\n"
        + "for a in \"$@\"; do echo \"arg $a\"; done\n");
    java.toFile().setExecutable(true);
    return jdk;
  }

  /** A jar with no classes whose manifest puts this build's class path behind it. */
  private static void pathingJar(Path jar) throws IOException {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
        java.util.Arrays.stream(cp.split(File.pathSeparator)).filter(e -> !e.isBlank())
            .map(e -> Path.of(e).toUri().toString()).collect(Collectors.joining(" ")));
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // the manifest is the whole jar
    }
  }

  private static boolean onPath(String command) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }

  private record Result(int code, String out, String err, long pid) {}

  private Result run(Map<String, String> env, String... args) throws Exception {
    return runScript(home.resolve("bin/tapetrain"), env, args);
  }

  /**
   * Runs {@code script} in {@code dir} with JAVA_HOME, JAVA_OPTS, TAPETRAIN_HOME and
   * JAVA_TOOL_OPTIONS unset unless in {@code env}.
   */
  private Result runScript(Path script, Map<String, String> env, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().remove("JAVA_HOME");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().remove("TAPETRAIN_HOME");
    builder.environment().remove("TAPETRAIN_CLASSPATH");
    builder.environment().remove("JAVA_TOOL_OPTIONS"); // the JVM would announce it on stderr
    builder.environment().putAll(env);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = start(builder.redirectOutput(out.toFile()).redirectError(err.toFile()));
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      throw new AssertionError("bin/tapetrain " + String.join(" ", args)
          + " did not exit within 120 s");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err), p.pid());
  }

  private Process start(ProcessBuilder builder) throws IOException {
    Process p = builder.start();
    started.add(p);
    return p;
  }
}
