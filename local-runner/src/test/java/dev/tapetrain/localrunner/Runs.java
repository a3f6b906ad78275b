package dev.tapetrain.localrunner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs local-runner in this JVM and reads back what it wrote. */
final class Runs {

  private Runs() {}

  /** The outcome of one command line. */
  record Result(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LocalRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /**
   * One line of steps.jsonl. Record equality compares the doubles with {@link Double#compare},
   * i.e. bit for bit, which is what the determinism contract promises: two lists of steps are
   * {@code equals} exactly when every logged loss, W and B has the same bits.
   */
  record Step(long step, double loss, double w, double b) {}

  /**
   * Asserts that {@code r} was refused as a bad command line should be: exit 2, one line on
   * stderr containing {@code expected} (no stack trace), and no run directory {@code run}.
   */
  static void assertRefused(Result r, String expected, Path run) {
    org.junit.jupiter.api.Assertions.assertEquals(2, r.exitCode(), r.err());
    org.junit.jupiter.api.Assertions.assertEquals(1, r.err().lines().count(),
        "one line: " + r.err());
    org.junit.jupiter.api.Assertions.assertTrue(r.err().contains(expected), r.err());
    org.junit.jupiter.api.Assertions.assertFalse(r.err().contains("Exception"), r.err());
    org.junit.jupiter.api.Assertions.assertFalse(Files.exists(run),
        "no run directory for a run that never started");
  }

  /** {@code args} and {@code --run-dir run} after them. */
  static String[] withRunDir(String[] args, Path run) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--run-dir";
    all[args.length + 1] = run.toString();
    return all;
  }

  /** The steps of {@code actual} whose step numbers {@code expected} also logged, in order. */
  static List<Step> sameStepsAs(List<Step> expected, List<Step> actual) {
    java.util.Set<Long> wanted = new java.util.HashSet<>();
    expected.forEach(s -> wanted.add(s.step()));
    return actual.stream().filter(s -> wanted.contains(s.step())).toList();
  }

  static List<Step> steps(Path runDir) throws IOException {
    List<Step> steps = new ArrayList<>();
    for (String line : Files.readAllLines(runDir.resolve("steps.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(line);
      if (n.has("w") && !n.get("w").isArray() && n.has("b")) {
        steps.add(new Step(n.get("step").asLong(), Json.number(n.get("loss")),
            Json.number(n.get("w")), Json.number(n.get("b"))));
      } else {
        // Other models (and several features): the digest chained over every loss, parameter
        // and gradient bit stands in for W, so record equality still compares every bit.
        steps.add(new Step(n.get("step").asLong(), Json.number(n.get("loss")),
            Double.longBitsToDouble(Long.parseUnsignedLong(n.get("digest").asText(), 16)), 0));
      }
    }
    return steps;
  }

  /** A copy of the run directory {@code src/test/resources/golden/<name>} in {@code dir}. */
  static Path goldenRun(String name, Path dir) throws IOException {
    Path run = dir.resolve(name);
    try {
      Path from = Path.of(Runs.class.getResource("/golden/" + name).toURI());
      try (java.util.stream.Stream<Path> files = Files.walk(from)) {
        for (Path p : files.toList()) {
          Files.copy(p, run.resolve(from.relativize(p).toString()));
        }
      }
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    return run;
  }

  /**
   * A new run directory {@code to} holding copies of {@code names}, files of the run directory
   * {@code from} (a run to resume, or to inspect, in its recorded state).
   */
  static Path copyOf(Path from, Path to, String... names) throws IOException {
    Files.createDirectories(to);
    for (String name : names) {
      Files.copy(from.resolve(name), to.resolve(name));
    }
    return to;
  }

  static JsonNode summary(Path runDir) throws IOException {
    return Json.MAPPER.readTree(runDir.resolve("summary.json").toFile());
  }
}
