package dev.tapetrain.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Ingest side by side with pyarrow (issue 28, item 4):
 * <pre>
 * mvn -q package -DskipTests
 * TAPETRAIN_PYTHON=/path/to/venv/bin/python java -cp benchmarks/target/benchmarks.jar \
 *     dev.tapetrain.benchmarks.IngestBenchmark [ROWS] [ROUNDS]
 * </pre>
 * Run from the checkout's root. Writes a CSV of ROWS rows (default 1 000 000) of 10 features and
 * a target printed with {@code %.17g} (221 MB for 1M rows) and its first 1000 rows as a second
 * file; with {@code TAPETRAIN_PYTHON} (an interpreter with pyarrow) the same two tables as
 * Parquet by pyarrow's defaults. Each round runs local-runner ({@code --workers 2 --cache off
 * --steps 1}) on every file, interleaved, timing from the JVM's start to the first round's line
 * ({@code Initial loss}), and then pyarrow reads each big file ROUNDS times (default 5) in one
 * warm interpreter ({@code src/main/python/ingest.py}: {@code read_csv} and {@code read_table},
 * one thread). The table shows medians: tapetrain's big file minus its 1000-row file (JVM start,
 * Akka and the first round's fixed cost cancel out) against pyarrow's read of the big file —
 * the goal is a ratio of at most 1. The files are in the OS page cache after the first
 * read (every system reads them warm).
 */
public final class IngestBenchmark {

  private IngestBenchmark() {}

  private static final int FEATURES = 10;

  /** Runs the benchmark; optional arguments: rows (default 1 000 000) and rounds (5). */
  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path localRunner = PeerBenchmark.built("local-runner");
    Path script = Path.of("benchmarks/src/main/python/ingest.py").toAbsolutePath();
    String python = System.getenv("TAPETRAIN_PYTHON");
    Path work = Files.createTempDirectory("tapetrain-ingest");
    Path big = work.resolve("big.csv");
    Path small = work.resolve("small.csv");
    write(big, rows);
    write(small, Math.min(rows, 1000));
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("csv", big);
    files.put("csv-1000", small);
    if (python != null) {
      for (Path csv : List.of(big, small)) {
        Path parquet = work.resolve(csv.getFileName().toString().replace(".csv", ".parquet"));
        run(new ProcessBuilder(python, script.toString(), "write", csv.toString(),
            parquet.toString()), work.resolve("write.err"));
      }
      files.put("parquet", work.resolve("big.parquet"));
      files.put("parquet-1000", work.resolve("small.parquet"));
    }
    Map<String, List<Double>> ours = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      for (var f : files.entrySet()) {
        double s = firstRound(localRunner, work, f.getValue(), f.getKey() + "-" + r);
        ours.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(s);
        System.err.printf(Locale.ROOT, "round %d: %-13s %.3f s to the first round%n", r,
            f.getKey(), s);
      }
    }
    Map<String, Double> peer = new LinkedHashMap<>();
    if (python != null) {
      Process p = new ProcessBuilder(python, script.toString(), "time", big.toString(),
          work.resolve("big.parquet").toString(), "" + rounds)
          .redirectError(work.resolve("time.err").toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("pyarrow did not run; see " + work);
      }
      JsonNode t = Json.MAPPER.readTree(out.lines().filter(l -> l.startsWith("{"))
          .reduce((a, b) -> b).orElseThrow());
      for (String k : List.of("read_csv", "read_table")) {
        List<Double> v = new ArrayList<>();
        t.get(k).forEach(n -> v.add(n.asDouble()));
        peer.put(k, median(v));
      }
    }
    System.out.printf(Locale.ROOT, "%n%,d rows x %d features + target; medians of %d rounds"
        + "; %s%n", rows, FEATURES, rounds, Files.size(big) / 1_000_000 + " MB CSV");
    System.out.printf(Locale.ROOT, "%-8s %12s %12s %12s %16s %8s%n", "format", "ours big s",
        "ours 1000 s", "ours diff s", "pyarrow s", "÷ pyarrow");
    row("csv", ours, peer.get("read_csv"), "read_csv");
    if (python != null) {
      row("parquet", ours, peer.get("read_table"), "read_table");
    }
  }

  private static void row(String format, Map<String, List<Double>> ours, Double peer,
      String how) {
    double bigS = median(ours.get(format));
    double smallS = median(ours.get(format + "-1000"));
    double diff = bigS - smallS;
    System.out.printf(Locale.ROOT, "%-8s %12.3f %12.3f %12.3f %16s %8s%n", format, bigS, smallS,
        diff, peer == null ? "-" : String.format(Locale.ROOT, "%.3f %s", peer, how),
        peer == null ? "-" : String.format(Locale.ROOT, "%.2f", diff / peer));
  }

  /** Seconds from starting local-runner on {@code data} to its first round's console line. */
  private static double firstRound(Path jar, Path work, Path data, String name)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        jar.toString(), "--workers", "2", "--cache", "off", "--steps", "1", "--data",
        data.toString(), "--features", "*", "--target", "y", "--run-dir",
        work.resolve("run-" + name).toString()));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(work.resolve(name + ".err").toFile())
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("Initial loss")) {
          double s = (System.nanoTime() - start) / 1e9;
          p.waitFor(5, TimeUnit.MINUTES);
          return s;
        }
      }
      throw new IllegalStateException(name + ": no 'Initial loss' line; see " + work);
    } finally {
      p.destroyForcibly();
    }
  }

  private static void run(ProcessBuilder pb, Path err) throws Exception {
    Process p = pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(pb.command() + " failed; see " + err);
    }
  }

  /** {@code n} rows of x0..x9 standard normal and y = w·x + noise, as {@code %.17g}. */
  private static void write(Path csv, long n) throws IOException {
    SplittableRandom r = new SplittableRandom(28);
    double[] w = new double[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      w[j] = gaussian(r);
    }
    try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.US_ASCII)) {
      StringBuilder line = new StringBuilder();
      for (int j = 0; j < FEATURES; j++) {
        line.append('x').append(j).append(',');
      }
      out.write(line.append("y\n").toString());
      double[] x = new double[FEATURES];
      for (long i = 0; i < n; i++) {
        line.setLength(0);
        double y = 0.1 * gaussian(r);
        for (int j = 0; j < FEATURES; j++) {
          x[j] = gaussian(r);
          y += w[j] * x[j];
          line.append(String.format(Locale.ROOT, "%.17g", x[j])).append(',');
        }
        out.write(line.append(String.format(Locale.ROOT, "%.17g", y)).append('\n').toString());
      }
    }
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
