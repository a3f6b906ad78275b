package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Across worker JVMs: the loop one JVM compiled at run time is, in the next JVM with the same
 * cache directory, used from the first evaluation (the default schedule would otherwise wait
 * for its rent-or-buy threshold), said so in the log, and gives the same bits.
 */
class LoopCacheProcessesTest {

  @TempDir
  Path dir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void aLoopCompiledInOneJvmIsUsedFromTheFirstEvaluationInTheNext() throws Exception {
    Path cache = dir.resolve("cache");
    String cold = run("cold-default", cache, "default");
    assertTrue(cold.contains("origin eager"), cold); // no loop anywhere yet: wait, eagerly

    String first = run("first", cache, "now");
    assertTrue(first.contains("origin runtime"), first);
    assertTrue(first.contains("(compiled at run time)"), first);
    try (Stream<Path> files = Files.list(cache.resolve("loops"))) {
      assertEquals(1, files.filter(p -> p.toString().endsWith(".loop")).count());
    }

    String second = run("second", cache, "default");
    assertTrue(second.contains("origin cache"), second);
    assertTrue(second.contains("(from the loop cache)"), second);
    assertEquals(line(first, "bits "), line(second, "bits "), "the same bits");
  }

  private String run(String name, Path cache, String when) throws Exception {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xmx256m", "-Dtapetrain.log.level=INFO", "-cp",
        String.join(File.pathSeparator, cp.split(File.pathSeparator)),
        LoopCacheProcess.class.getName(), cache.toString(), when);
    Path out = dir.resolve(name + ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    started.add(p);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), name + " did not finish");
    String text = Files.readString(out);
    assertEquals(0, p.exitValue(), name + ": " + text);
    return text;
  }

  private static String line(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
  }
}
