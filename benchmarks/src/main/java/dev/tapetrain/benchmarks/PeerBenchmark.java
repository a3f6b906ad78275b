package dev.tapetrain.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.benchmarks.PeerJobs.Job;
import dev.tapetrain.benchmarks.PeerTable.Time;
import dev.tapetrain.coordinator.run.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whole jobs, warm-up included, against the systems users compare us with (issue 15):
 * <pre>
 * mvn -q package -DskipTests
 * TAPETRAIN_PYTHON=/path/to/python3 java -cp benchmarks/target/benchmarks.jar \
 *     dev.tapetrain.benchmarks.PeerBenchmark [ROUNDS [JOBS]]
 * </pre>
 * Run from the checkout's root. Each job runs in a fresh process, every system once per round,
 * interleaved, and the table shows each system's median over the rounds with its ratio to
 * tapetrain's. A job's time is its training loop with every step counted, the first included:
 * tapetrain's {@code train_seconds}, the peers' loop time ({@code src/main/python/peers.py};
 * imports, data generation and JVM start-up excluded on both sides, and shown separately for
 * tapetrain as {@code wall}). Without {@code TAPETRAIN_PYTHON} only tapetrain runs. JOBS, e.g.
 * {@code DEF}, runs only those jobs (default: all).
 *
 * <p>Jobs: A, the tutorial's model on 1M samples for 200 steps, one worker; B, 1000 samples,
 * 5000 steps, 4 workers (per-step overhead); C, 1000 samples on two worker JVMs on loopback
 * (against PyTorch DDP with two processes); D, the built-in MLP (one feature, 16 tanh units) on
 * 100 000 samples for 100 steps, two workers; E, softmax regression, 50 features and 10 classes,
 * and F, the MLP 10–32–1 (tanh, regression), each on 100 000 samples for 30 steps with two
 * workers (issue 27). In D, E and F every system trains the same model from the same data and
 * initial parameters ({@link PeerData}), each given both cores, and the table shows how far each
 * peer's final loss is from tapetrain's: more than {@link #LOSS_AGREEMENT} relative is printed as
 * a mismatch, loudly (the systems differ only in summation order and in their exp and tanh, by
 * ulps: far below it). A tapetrain run that fails (on a loaded machine, worker JVMs that do not
 * join in time) costs its job that round only; failures and mismatches are repeated after the
 * table, and the exit code is then 1. Every system's "median step" is the median of the second
 * half of its steps; the table gives its ratio to tapetrain's as well. Jobs A and B also run as {@code tapetrain-c1}: with {@code -XX:TieredStopAtLevel=1},
 * the README's tuning option for jobs of many small steps. Jobs B and C also run as
 * {@code actor-floor}: {@link ActorFloorBenchmark}, the same coordinator and worker actors with
 * nothing but their messages and a plain gradient loop, the floor of the design.
 *
 * <p>The loop cache: every tapetrain run gets a fresh, empty {@code --cache-dir}, so the
 * {@code tapetrain} row is a cold run that compiles its model's loop (as the peers, which keep
 * nothing between runs here, trace and compile theirs), the fair comparison. Jobs D, E and F,
 * whose loops are compiled at run time, also run as {@code tapetrain-warm}: right after the cold
 * run, on its cache directory, so the loop comes from the cache (what a user's second run of a
 * model shape costs). The {@code step 0} column is the first step's {@code step_ms}, where the
 * compilation (or the cache's load) lands.
 *
 * <p>The jobs are {@link PeerJobs}; the table, {@link PeerTable}.
 */
public final class PeerBenchmark {

  private PeerBenchmark() {}

  /**
   * How far a peer's final loss may be from tapetrain's, relative, on jobs D, E and F: the same
   * model, data and initial parameters leave only rounding (summation orders; exp and tanh a few
   * ulps apart), 0 to 2.3e-15 relative as measured on 2026-12-06.
   */
  static final double LOSS_AGREEMENT = 1e-6;

  /**
   * Runs the jobs; optional arguments: the number of rounds (default 3) and the jobs' letters
   * (default all).
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String only = args.length > 1 ? args[1] : "ABCDEF";
    Path localRunner = built("local-runner");
    Path coordinator = built("coordinator");
    Path worker = built("worker");
    Path benchmarks = built("benchmarks");
    Path peers = Path.of("benchmarks/src/main/python/peers.py").toAbsolutePath();
    String python = System.getenv("TAPETRAIN_PYTHON");
    Path work = Files.createTempDirectory("tapetrain-peers");
    Map<String, Map<String, List<Time>>> times = new LinkedHashMap<>();
    List<Job> jobs = PeerJobs.only(only);
    Map<Job, Path> data = new LinkedHashMap<>();
    for (Job job : jobs) {
      if (job.data() != null) {
        data.put(job, job.data().write(work.resolve("data-" + job.name().charAt(0)), job.n()));
      }
    }
    List<String> problems = new ArrayList<>(); // failed runs and loss mismatches, printed last
    for (int round = 1; round <= rounds; round++) {
      for (Job job : jobs) {
        Map<String, List<Time>> row = times.computeIfAbsent(job.name(),
            k -> new LinkedHashMap<>());
        Time t;
        try {
          t = job.workers() > 0
              ? localRunner(localRunner, work, job, round, List.of(), freshCache(work))
              : twoJvms(coordinator, worker, work, job, round);
        } catch (IllegalStateException e) {
          // A loaded machine can fail a run (worker JVMs that do not join in time): that job
          // misses the round, the others go on, and the table says so.
          String m = "round " + round + ", " + job.name() + ": " + e.getMessage()
              + "; the job misses this round";
          problems.add(m);
          System.err.println("*** " + m);
          continue;
        }
        row.computeIfAbsent("tapetrain", k -> new ArrayList<>()).add(t);
        System.err.printf(Locale.ROOT, "round %d, %s, tapetrain: %.4f ms/step, step 0 %.1f ms"
            + "%n", round, job.name(), t.msPerStep(), t.firstStepMs());
        if (job.warm() && job.workers() > 0) {
          // The same job again on the cache directory the cold run just filled.
          Time w = localRunner(localRunner, work, job, round, List.of(), lastCache);
          row.computeIfAbsent("tapetrain-warm", k -> new ArrayList<>()).add(w);
          System.err.printf(Locale.ROOT, "round %d, %s, tapetrain warm cache: %.4f ms/step, "
              + "step 0 %.1f ms%n", round, job.name(), w.msPerStep(), w.firstStepMs());
        }
        if (job.c1()) {
          // The README's tuning option for jobs of many small steps: C1 only.
          Time c1 = localRunner(localRunner, work, job, round, List.of(C1_ONLY),
              freshCache(work));
          row.computeIfAbsent("tapetrain-c1", k -> new ArrayList<>()).add(c1);
          System.err.printf(Locale.ROOT, "round %d, %s, tapetrain %s: %.4f ms/step%n", round,
              job.name(), C1_ONLY, c1.msPerStep());
        }
        if (job.floor()) {
          // What the coordinator/worker design costs with nothing else in it (no tape, no
          // chunks, no log): a lower bound for tapetrain, and for any actor-based design.
          Time f = floor(benchmarks, work, job);
          row.computeIfAbsent("actor-floor", k -> new ArrayList<>()).add(f);
          System.err.printf(Locale.ROOT, "round %d, %s, actor floor: %.4f ms/step%n", round,
              job.name(), f.msPerStep());
        }
        if (python != null) {
          for (String system : job.peers()) {
            Time p = peer(python, peers, work, system, job, data.get(job));
            if (p != null) {
              row.computeIfAbsent(system, k -> new ArrayList<>()).add(p);
              System.err.printf(Locale.ROOT, "round %d, %s, %s: %.4f ms/step%n", round,
                  job.name(), system, p.msPerStep());
              double rel = PeerTable.relative(p.loss(), t.loss());
              if (job.data() != null && !(rel <= LOSS_AGREEMENT)) {
                String m = String.format(Locale.ROOT, "LOSS MISMATCH: round %d, %s, %s: final"
                    + " loss %.17g, tapetrain's %.17g (relative %.1e > %.0e): not the same"
                    + " computation", round, job.name(), system, p.loss(), t.loss(),
                    rel, LOSS_AGREEMENT);
                problems.add(m);
                System.err.println("*** " + m);
              }
            }
          }
        }
      }
    }
    PeerTable.print(times, rounds);
    if (!problems.isEmpty()) {
      System.out.println();
      problems.forEach(m -> System.out.println("*** " + m));
      System.out.println("*** " + problems.size() + " runs failed or did not end at"
          + " tapetrain's loss: the table leaves the failed ones out, and a mismatched peer's"
          + " time is not comparable");
      System.exit(1);
    }
  }

  /**
   * A module's jar, {@code MODULE/target/MODULE.jar} below the working directory; exits with a
   * hint when it is not there (not run from the checkout's root, or not built).
   */
  static Path built(String module) {
    Path jar = Path.of(module, "target", module + ".jar").toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      System.err.println("run from the checkout's root after 'mvn -q package -DskipTests'");
      System.exit(2);
    }
    return jar;
  }

  private static List<String> java(Path jar) {
    List<String> cmd = new ArrayList<>();
    Path jsa = Path.of(jar.toString().replace(".jar", ".jsa"));
    if (Files.isRegularFile(jsa)) {
      cmd.add("-XX:SharedArchiveFile=" + jsa);
      cmd.add("-Xlog:cds=off");
    }
    cmd.add("-Dsun.misc.unsafe.memory.access=allow");
    cmd.add("-jar");
    cmd.add(jar.toString());
    return cmd;
  }

  private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  /** The cache directory {@link #freshCache} gave last. */
  private static Path lastCache;

  /** A new, empty cache directory under {@code work} (remembered as {@link #lastCache}). */
  private static Path freshCache(Path work) throws IOException {
    lastCache = Files.createTempDirectory(work, "cache-");
    return lastCache;
  }

  private static Time localRunner(Path jar, Path work, Job job, int round, List<String> flags,
      Path cacheDir) throws Exception {
    Path run = Files.createTempDirectory(work, job.name().charAt(0) + "-" + job.model()
        + job.n() + "-" + job.workers() + "-" + round + (flags.isEmpty() ? "" : "-tuned")
        + "-").resolve("run");
    List<String> args = new ArrayList<>(flags);
    args.addAll(java(jar));
    args.addAll(List.of("--examples", "" + job.n(), "--steps", "" + job.steps(), "--workers",
        "" + job.workers(), "--model", job.model(), "--log-every", "1", "--checkpoint-every",
        "" + job.steps(), "--run-dir", run.toString(), "--cache-dir", cacheDir.toString()));
    if (job.data() != null) {
      args.addAll(job.data().options());
    }
    long start = System.nanoTime();
    Process p = ClusterBenchmark.start(work, "local-runner", args);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("local-runner failed; see " + work);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
    return new Time(1e3 * summary.get("train_seconds").asDouble() / job.steps(),
        medianStep(run, job.steps()), wall, summary.get("loss").asDouble(), firstStep(run));
  }

  private static Time twoJvms(Path coordinator, Path worker, Path work, Job job, int round)
      throws Exception {
    ClusterBenchmark.Result r = ClusterBenchmark.run(coordinator, worker, work, "round " + round,
        job.n(), 2, job.steps());
    // Counted as every other job: train_seconds over every step, and the second half's median.
    JsonNode summary = Json.MAPPER.readTree(r.runDir().resolve("summary.json").toFile());
    return new Time(1e3 * summary.get("train_seconds").asDouble() / job.steps(),
        medianStep(r.runDir(), job.steps()), Double.NaN, Double.NaN);
  }

  /** {@link ActorFloorBenchmark} on a job: local-runner's workers, or two worker JVMs. */
  private static Time floor(Path jar, Path work, Job job) throws Exception {
    JsonNode r = ActorFloorBenchmark.run(jar, work, job.n(), job.steps(),
        job.workers() > 0 ? job.workers() : 2, job.workers() == 0);
    return new Time(1e3 * r.get("loop_seconds").asDouble() / job.steps(),
        r.get("median_step_ms").asDouble(), Double.NaN, Double.NaN);
  }

  /** The step_ms of a run's first step. */
  private static double firstStep(Path run) throws IOException {
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode step = Json.MAPPER.readTree(line);
      if (step.get("step").asLong() == 0) {
        return step.get("step_ms").asDouble();
      }
    }
    return Double.NaN;
  }

  /** The median step_ms of the second half of a run's steps. */
  private static double medianStep(Path run, int steps) throws IOException {
    List<Double> ms = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode step = Json.MAPPER.readTree(line);
      if (step.get("step").asLong() >= steps / 2) {
        ms.add(step.get("step_ms").asDouble());
      }
    }
    return ClusterBenchmark.median(ms);
  }

  /** A peer's run of {@code job}; {@code data}: the job's {@link PeerData} directory, or null. */
  private static Time peer(String python, Path script, Path work, String system, Job job,
      Path data) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(), system, "" + job.n(),
        "" + job.steps(), job.model()));
    if (data != null) {
      cmd.add(data.toString());
    }
    Process p = new ProcessBuilder(cmd)
        .redirectError(work.resolve(system + ".err").toFile())
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      System.err.println(system + " did not run (see " + work.resolve(system + ".err") + ")");
      return null;
    }
    JsonNode r = Json.MAPPER.readTree(out.lines().filter(l -> l.startsWith("{"))
        .reduce((a, b) -> b).orElseThrow());
    return new Time(1e3 * r.get("loop_seconds").asDouble() / job.steps(),
        r.get("median_step_ms").asDouble(), Double.NaN, r.path("loss").asDouble(Double.NaN));
  }
}
