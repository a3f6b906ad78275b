package dev.tapetrain.localrunner.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.LoggingApp;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that embeds tapetrain keeps its logging its own: no tapetrain jar carries a
 * {@code logback.xml} (Logback would take it for the application's, or warn of two), the Java
 * API never names tapetrain's configuration, and nothing loads a Logback class unless a Logback
 * configuration names one, so another SLF4J binding (here none) runs it as well. The
 * applications run in processes of their own, from this module's test class path, as an
 * application's class path holds tapetrain's jars.
 */
class EmbeddedLoggingTest {

  @TempDir
  Path dir;

  @Test
  void noTapetrainJarCarriesALogbackConfigurationAtItsRoot() throws IOException {
    for (String name : List.of("logback.xml", "logback-test.xml")) {
      List<URL> found = Collections.list(getClass().getClassLoader().getResources(name));
      assertEquals(List.of(), found, name + " on the class path an application gets");
    }
  }

  @Test
  void anApplicationsOwnLogbackConfigurationGovernsTapetrainsLines() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("app-conf"));
    Files.writeString(conf.resolve("logback.xml"), """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>APP|%level|%logger|%msg%n</pattern></encoder>
          </appender>
          <logger name="dev.tapetrain" level="DEBUG"/>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    // The application's own configuration first, as its own jar would be.
    Run run = app("own", conf + File.pathSeparator + classPath(false));
    assertEquals(0, run.exit, run.output);
    assertTrue(run.output.contains("APP|INFO|com.example.LoggingApp|trained 5 steps"),
        run.output);
    assertTrue(run.output.lines().anyMatch(l -> l.startsWith("APP|")
        && l.split("\\|")[2].startsWith("dev.tapetrain.")), "tapetrain's own lines, its way: "
        + run.output);
    for (String line : run.output.lines().toList()) {
      assertFalse(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"),
          "a line in tapetrain's launcher format: " + line + "\n" + run.output);
    }
    assertFalse(run.output.contains("occurs multiple times"), run.output);
    assertFalse(run.output.contains("logback-launcher"), run.output);
  }

  @Test
  void anApplicationWithoutLogbackTrains() throws Exception {
    String cp = classPath(true);
    assertFalse(cp.contains("logback"), cp);
    Run run = app("none", cp);
    assertEquals(0, run.exit, run.output);
    assertTrue(run.output.lines().anyMatch(l -> l.startsWith("w = ")), run.output);
    assertFalse(run.output.contains("NoClassDefFoundError"), run.output);
    assertFalse(run.output.contains("ch.qos.logback"), run.output);
  }

  private record Run(int exit, String output) {}

  private Run app(String name, String classPath) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
        classPath, LoggingApp.class.getName(), dir.resolve(name + "-run").toString()));
    Path out = dir.resolve(name + ".out");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    try {
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), name + " did not finish");
      return new Run(p.exitValue(), Files.readString(out));
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * This module's test class path (tapetrain's modules, their dependencies, the tests' classes),
   * {@code withoutLogback}: without Logback's jars.
   */
  private static String classPath(boolean withoutLogback) {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return Arrays.stream(cp.split(File.pathSeparator))
        .filter(e -> !withoutLogback || !Path.of(e).getFileName().toString()
            .startsWith("logback-"))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
