package dev.tapetrain.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.io.BufferedWriter;
import java.io.IOException;
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
 * One epoch of mini-batch SGD, side by side (issue 26, item 5):
 * <pre>
 * mvn -q package -DskipTests
 * TAPETRAIN_PYTHON=/path/to/venv/bin/python java -cp benchmarks/target/benchmarks.jar \
 *     dev.tapetrain.benchmarks.EpochBenchmark [SAMPLES] [BATCH]
 * </pre>
 * Run from the checkout's root. For each model (logistic; softmax with 3 classes; the MLP with
 * 32 tanh units, regression), all on 10 features, it writes one CSV (SAMPLES rows, default
 * 1 000 000; seed fixed) and trains one epoch of batches of BATCH (default 256) with plain SGD
 * at the same learning rate in: tapetrain's local-runner (one JVM, 2 worker actors), a
 * coordinator with two worker JVMs on loopback, and, with {@code TAPETRAIN_PYTHON}, PyTorch in
 * one process (one thread), PyTorch DDP with 2 processes (gloo) and Keras {@code fit}
 * ({@code src/main/python/epochs.py}). Every system runs once per job, interleaved; the table
 * shows seconds per epoch (tapetrain's {@code train_seconds}, the peers' epoch loop: JVM start,
 * imports and reading the data excluded), the ratio to local-runner's, and the loss over every
 * sample after the epoch, which should agree roughly (each system shuffles its own way; the
 * peers' MLP starts from other Glorot draws). For each tapetrain run it also prints where the
 * epoch went, from the run's steps.jsonl ({@link EpochSteps}).
 */
public final class EpochBenchmark {

  private EpochBenchmark() {}

  /** A job: the model, its extra options and its learning rate. */
  private record Job(String model, List<String> options, double lr) {}

  private static final List<Job> JOBS = List.of(
      new Job("logistic", List.of(), 0.1),
      new Job("softmax", List.of("--classes", "3"), 0.1),
      new Job("mlp", List.of("--hidden", "32"), 0.05));

  private static final int FEATURES = 10;

  /** One system's epoch: seconds, updates, final loss. */
  private record Epoch(double seconds, long steps, double loss) {}

  /** Runs the jobs; optional arguments: samples (default 1 000 000) and batch (256). */
  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    Path localRunner = PeerBenchmark.built("local-runner");
    Path coordinator = PeerBenchmark.built("coordinator");
    Path worker = PeerBenchmark.built("worker");
    Path script = Path.of("benchmarks/src/main/python/epochs.py").toAbsolutePath();
    String python = System.getenv("TAPETRAIN_PYTHON");
    Path work = Files.createTempDirectory("tapetrain-epochs");
    Map<String, Map<String, Epoch>> table = new LinkedHashMap<>();
    for (Job job : JOBS) {
      Path csv = work.resolve(job.model() + ".csv");
      write(csv, job.model(), n);
      Map<String, Epoch> row = table.computeIfAbsent(job.model(), k -> new LinkedHashMap<>());
      row.put("local-runner", tapetrain(localRunner, null, work, csv, job, batch));
      log(job, "local-runner", row);
      row.put("2 worker JVMs", tapetrain(coordinator, worker, work, csv, job, batch));
      log(job, "2 worker JVMs", row);
      if (python != null) {
        for (String system : List.of("torch", "torch-ddp", "keras")) {
          Epoch e = peer(python, script, work, system, csv, job, batch);
          if (e != null) {
            row.put(system, e);
            log(job, system, row);
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%n%,d samples, batch %d, one epoch, SGD%n", n, batch);
    System.out.printf(Locale.ROOT, "%-10s %-14s %8s %9s %12s %11s%n", "model", "system",
        "updates", "s/epoch", "÷ local-run", "final loss");
    for (var job : table.entrySet()) {
      double ours = job.getValue().get("local-runner").seconds();
      for (var e : job.getValue().entrySet()) {
        System.out.printf(Locale.ROOT, "%-10s %-14s %8d %9.2f %12.2f %11.5f%n", job.getKey(),
            e.getKey(), e.getValue().steps(), e.getValue().seconds(),
            e.getValue().seconds() / ours, e.getValue().loss());
      }
    }
    System.out.println("\n÷ local-run below 1: that system's epoch is faster than local-runner's.");
  }

  private static void log(Job job, String system, Map<String, Epoch> row) {
    Epoch e = row.get(system);
    System.err.printf(Locale.ROOT, "%s, %s: %.2f s, %d updates, loss %.5f%n", job.model(),
        system, e.seconds(), e.steps(), e.loss());
  }

  /**
   * The job's data: 10 standard-normal features; logistic: a label drawn from the sigmoid of
   * a fixed linear score; softmax: the argmax of 3 fixed linear scores plus Gumbel noise; mlp:
   * {@code sin(x·a) + 0.1·noise}.
   */
  static void write(Path csv, String model, long n) throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    double[][] w = new double[3][FEATURES];
    for (double[] row : w) {
      for (int j = 0; j < FEATURES; j++) {
        row[j] = r.nextDouble(-1, 1);
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      StringBuilder header = new StringBuilder();
      for (int j = 0; j < FEATURES; j++) {
        header.append('x').append(j).append(',');
      }
      out.write(header.append("y\n").toString());
      double[] x = new double[FEATURES];
      StringBuilder line = new StringBuilder();
      for (long i = 0; i < n; i++) {
        line.setLength(0);
        for (int j = 0; j < FEATURES; j++) {
          x[j] = gaussian(r);
          line.append(x[j]).append(',');
        }
        double y;
        if (model.equals("logistic")) {
          y = r.nextDouble() < 1 / (1 + Math.exp(-dot(w[0], x) - 0.5)) ? 1 : 0;
        } else if (model.equals("softmax")) {
          int best = 0;
          double bestScore = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < 3; k++) {
            double s = dot(w[k], x) - Math.log(-Math.log(r.nextDouble(1e-300, 1)));
            if (s > bestScore) {
              bestScore = s;
              best = k;
            }
          }
          y = best;
        } else {
          y = Math.sin(dot(w[0], x)) + 0.1 * gaussian(r);
        }
        out.write(line.append(y).append('\n').toString());
      }
    }
  }

  private static double dot(double[] a, double[] x) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * x[j];
    }
    return s;
  }

  private static double gaussian(SplittableRandom r) {
    // Box–Muller, one of the pair.
    return Math.sqrt(-2 * Math.log(r.nextDouble(1e-300, 1))) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  /** tapetrain on the job: local-runner when {@code workerJar} is null, else 2 worker JVMs. */
  private static Epoch tapetrain(Path jar, Path workerJar, Path work, Path csv, Job job,
      int batch) throws Exception {
    Path run = work.resolve(job.model() + (workerJar == null ? "-local" : "-cluster"));
    List<String> args = new ArrayList<>(List.of("-jar", jar.toString()));
    int port = ClusterBenchmark.freePort();
    if (workerJar == null) {
      args.addAll(List.of("--workers", "2"));
    } else {
      args.addAll(List.of("--port", "" + port, "--workers", "2"));
    }
    args.addAll(List.of("--data", csv.toString(), "--features", "*", "--target", "y",
        "--model", job.model(), "--batch-size", "" + batch, "--epochs", "1",
        "--learning-rate", "" + job.lr(), "--run-dir", run.toString()));
    args.addAll(job.options());
    List<Process> processes = new ArrayList<>();
    try {
      String name = job.model() + (workerJar == null ? "-local-runner" : "-coordinator");
      processes.add(ClusterBenchmark.start(work, name, args));
      if (workerJar != null) {
        // The coordinator reads the CSV before it listens; workers started before that give
        // up joining after 20 s on a loaded machine.
        awaitListening(work.resolve(name + ".err"), processes.get(0));
        for (int i = 0; i < 2; i++) {
          processes.add(ClusterBenchmark.start(work, job.model() + "-worker-" + i,
              List.of("-jar", workerJar.toString(), "--join", "127.0.0.1:" + port)));
        }
      }
      Process p = processes.get(0);
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(name + " failed; see " + work);
      }
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
    }
    JsonNode s = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
    System.err.println("  " + job.model() + (workerJar == null ? ", local-runner: "
        : ", 2 worker JVMs: ") + EpochSteps.of(run).line());
    return new Epoch(s.get("train_seconds").asDouble(), s.get("steps").asLong(),
        s.get("loss").asDouble());
  }

  /** Waits until the coordinator whose stderr is {@code err} says it listens, or exits. */
  private static void awaitListening(Path err, Process coordinator) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline && coordinator.isAlive()) {
      if (Files.exists(err) && Files.readString(err).contains("coordinator listening")) {
        return;
      }
      Thread.sleep(200);
    }
  }

  private static Epoch peer(String python, Path script, Path work, String system, Path csv,
      Job job, int batch) throws Exception {
    Path err = work.resolve(job.model() + "-" + system + ".err");
    Process p = new ProcessBuilder(python, script.toString(), system, csv.toString(),
        job.model(), "" + batch, "" + job.lr(), "32")
        .redirectError(err.toFile())
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
      System.err.println(system + " did not run (see " + err + ")");
      return null;
    }
    JsonNode r = Json.MAPPER.readTree(out.lines().filter(l -> l.startsWith("{"))
        .reduce((a, b) -> b).orElseThrow());
    return new Epoch(r.get("loop_seconds").asDouble(), r.get("steps").asLong(),
        r.get("loss").asDouble());
  }
}
