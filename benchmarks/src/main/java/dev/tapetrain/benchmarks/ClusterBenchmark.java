package dev.tapetrain.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Step time with real coordinator and worker JVMs on loopback, printed as a table:
 * <pre>
 * mvn -q package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.tapetrain.benchmarks.ClusterBenchmark
 * </pre>
 * Runs from the checkout's root (it starts {@code coordinator/target/coordinator.jar} and
 * {@code worker/target/worker.jar}). Time per step is the median {@code step_ms} of the last
 * quarter of each run's steps.jsonl: steady state, without start-up, joining or data generation.
 * Small steps need many of them to get there: three JVMs share two cores, so their JIT compilers
 * take about 10,000 steps (20 s) to finish Akka's remoting code, so the small job runs 20,000
 * steps and the 8M-sample jobs 1,500; the table also shows the median of the first 1,000 steps,
 * and the median time a step of the last quarter spent outside its slowest worker's compute
 * ({@code step_ms} minus the largest {@code compute_ms}: messaging, the coordinator's own work,
 * and waiting for a CPU). The scaling jobs also run as {@link ActorFloorBenchmark}: the same
 * coordinator/worker messages across JVMs with nothing else, the floor under the last column.
 */
public final class ClusterBenchmark {

  private ClusterBenchmark() {}

  /** One measured configuration. */
  record Result(String what, long examples, int workers, long steps, double msPerStep,
      double msFirstSteps, double msOutsideCompute, Path runDir) {}

  /** Runs the table. Optional argument: the scaling job's sample count (default 8,000,000). */
  public static void main(String[] args) throws Exception {
    long big = args.length > 0 ? Long.parseLong(args[0]) : 8_000_000L;
    Path root = Path.of(".").toAbsolutePath().normalize();
    Path coordinatorJar = root.resolve("coordinator/target/coordinator.jar");
    Path workerJar = root.resolve("worker/target/worker.jar");
    if (!Files.isRegularFile(coordinatorJar) || !Files.isRegularFile(workerJar)) {
      System.err.println("run from the checkout's root after 'mvn -q package -DskipTests'");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("tapetrain-bench");
    List<Result> results = new ArrayList<>();
    results.add(run(coordinatorJar, workerJar, work, "step overhead", 1000, 2, 20000));
    results.add(run(coordinatorJar, workerJar, work, "scaling", big, 1, 1500));
    results.add(run(coordinatorJar, workerJar, work, "scaling", big, 2, 1500));
    // The same jobs with nothing but the design's messages and a plain loop: the floor.
    Path floorJar = root.resolve("benchmarks/target/benchmarks.jar");
    for (int workers = 1; workers <= 2; workers++) {
      JsonNode f = ActorFloorBenchmark.run(floorJar, work, big, 1500, workers, true);
      results.add(new Result("actor floor", big, workers, 1500,
          f.get("last_quarter_step_ms").asDouble(), f.get("first_steps_ms").asDouble(),
          f.get("outside_compute_ms").asDouble(), null));
    }
    System.out.println();
    System.out.printf("%-14s %12s %8s %7s %12s %16s %16s%n", "what", "samples", "workers",
        "steps", "ms/step", "first 1000 steps", "outside compute");
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "%-14s %,12d %8d %7d %12.3f %16.3f %16.3f%n", r.what(),
          r.examples(), r.workers(), r.steps(), r.msPerStep(), r.msFirstSteps(),
          r.msOutsideCompute());
    }
    System.out.printf(Locale.ROOT, "%nspeed-up of 2 worker JVMs over 1 at %,d samples: %.2fx%n",
        big, results.get(1).msPerStep() / results.get(2).msPerStep());
    System.out.printf(Locale.ROOT, "the actor floor's: %.2fx%n",
        results.get(3).msPerStep() / results.get(4).msPerStep());
  }

  static Result run(Path coordinatorJar, Path workerJar, Path work, String what,
      long examples, int workers, long steps) throws Exception {
    int port = freePort();
    Path runDir = work.resolve(what.replace(' ', '-') + "-" + examples + "-" + workers);
    List<Process> processes = new ArrayList<>();
    try {
      processes.add(start(work, "coordinator", List.of("-jar", coordinatorJar.toString(),
          "--port", "" + port, "--workers", "" + workers, "--examples", "" + examples,
          "--steps", "" + steps, "--log-every", "1", "--checkpoint-every", "" + steps,
          "--run-dir", runDir.toString())));
      for (int i = 0; i < workers; i++) {
        processes.add(start(work, "worker-" + i, List.of("-Xmx" + Math.max(512,
            examples * 16 * 3 / workers / (1 << 20) + 256) + "m", "-jar", workerJar.toString(),
            "--join", "127.0.0.1:" + port)));
      }
      Process coordinator = processes.get(0);
      if (!coordinator.waitFor(30, TimeUnit.MINUTES) || coordinator.exitValue() != 0) {
        throw new IllegalStateException(what + " run failed; see " + work);
      }
      List<Double> steady = new ArrayList<>();
      List<Double> outside = new ArrayList<>();
      List<Double> first = new ArrayList<>();
      for (String line : Files.readAllLines(runDir.resolve("steps.jsonl"))) {
        JsonNode step = Json.MAPPER.readTree(line);
        long i = step.get("step").asLong();
        if (i >= steps * 3 / 4) {
          steady.add(step.get("step_ms").asDouble());
          // What the step spent outside the slowest worker's compute: messaging, the
          // coordinator's own work and waiting for the CPU.
          double slowest = 0;
          for (JsonNode w : step.get("workers")) {
            slowest = Math.max(slowest, w.get("compute_ms").asDouble());
          }
          outside.add(step.get("step_ms").asDouble() - slowest);
        }
        if (i < 1000) {
          first.add(step.get("step_ms").asDouble());
        }
      }
      double ms = median(steady);
      System.err.printf(Locale.ROOT, "%s: %d samples, %d worker JVM(s): %.3f ms/step%n", what,
          examples, workers, ms);
      return new Result(what, examples, workers, steps, ms, median(first), median(outside),
          runDir);
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    java.util.Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  static Process start(Path work, String name, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(args);
    return new ProcessBuilder(cmd)
        .redirectOutput(work.resolve(name + ".out").toFile())
        .redirectError(work.resolve(name + ".err").toFile())
        .start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

}
