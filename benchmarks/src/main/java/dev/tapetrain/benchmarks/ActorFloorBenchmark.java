package dev.tapetrain.benchmarks;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The floor of the design: what a coordinator actor and worker actors cost with nothing else in
 * them, warm-up included, in fresh JVMs — a lower bound for tapetrain's jobs B and C in
 * {@link PeerBenchmark}, and for any trainer built this way on this JVM and machine.
 *
 * <p>The tutorial's model fitted by plain loops: each step the coordinator sends W and B to
 * every worker, each worker adds its shard's gradient sums in one loop and answers, the
 * coordinator adds the answers and takes the step. No tape, no chunks, no chunk tree, no step
 * record or log, no checks, no cluster; sums in arrival order (not bit-reproducible, which
 * tapetrain is). {@code local}: one JVM, one dispatcher thread (as local-runner runs a job this
 * small). {@code coordinator} and {@code worker}: one JVM each on loopback, with tapetrain's
 * transport settings (see {@link ActorFloorRemote}).
 *
 * <pre>
 * java -cp benchmarks.jar dev.tapetrain.benchmarks.ActorFloorBenchmark local N STEPS WORKERS
 * java -cp benchmarks.jar dev.tapetrain.benchmarks.ActorFloorBenchmark coordinator PORT N STEPS WORKERS
 * java -cp benchmarks.jar dev.tapetrain.benchmarks.ActorFloorBenchmark worker PORT INDEX N WORKERS
 * </pre>
 * The coordinator (or the local run) prints one JSON line: the loop's seconds, ms per step with
 * every step counted, the median step of the second half (PeerBenchmark's rules) and, across
 * JVMs, the median time outside the slowest worker's compute over the last quarter of the steps
 * (ClusterBenchmark's rule). PeerBenchmark runs it beside jobs B and C, ClusterBenchmark beside
 * its scaling jobs.
 */
public final class ActorFloorBenchmark {

  private ActorFloorBenchmark() {
  }

  record Compute(int step, double w, double b, ActorRef<Message> replyTo) {
  }

  interface Message {
  }

  record Gradients(int step, double gw, double gb, double loss) implements Message {
  }

  record Start(CompletableFuture<long[]> done) implements Message {
  }

  static Behavior<Compute> worker(double[] x, double[] y) {
    return Behaviors.receiveMessage(c -> {
      double gw = 0;
      double gb = 0;
      double loss = 0;
      for (int i = 0; i < x.length; i++) {
        double e = c.w() * x[i] + c.b() - y[i];
        loss += e * e;
        gw += 2 * e * x[i];
        gb += 2 * e;
      }
      c.replyTo().tell(new Gradients(c.step(), gw, gb, loss));
      return Behaviors.same();
    });
  }

  /** The coordinator's state between messages, as arguments (akka-sample-fsm style). */
  static Behavior<Message> coordinator(List<ActorRef<Compute>> workers, int n, int steps) {
    return Behaviors.setup(ctx -> Behaviors.receiveMessage(m -> {
      Start start = (Start) m;
      long[] stepNanos = new long[steps];
      return step(ctx.getSelf(), workers, n, steps, start.done(), stepNanos, 0, 5.0, 10.0,
          System.nanoTime());
    }));
  }

  private static Behavior<Message> step(ActorRef<Message> self, List<ActorRef<Compute>> workers,
      int n, int steps, CompletableFuture<long[]> done, long[] stepNanos, int step, double w,
      double b, long began) {
    for (ActorRef<Compute> worker : workers) {
      worker.tell(new Compute(step, w, b, self));
    }
    return collect(self, workers, n, steps, done, stepNanos, step, w, b, began, 0, 0, 0);
  }

  private static Behavior<Message> collect(ActorRef<Message> self,
      List<ActorRef<Compute>> workers, int n, int steps, CompletableFuture<long[]> done,
      long[] stepNanos, int step, double w, double b, long began, int answers, double gw,
      double gb) {
    return Behaviors.receiveMessage(m -> {
      Gradients g = (Gradients) m;
      double sumW = gw + g.gw();
      double sumB = gb + g.gb();
      if (answers + 1 < workers.size()) {
        return collect(self, workers, n, steps, done, stepNanos, step, w, b, began, answers + 1,
            sumW, sumB);
      }
      double nw = w - 0.01 * sumW / n;
      double nb = b - 0.01 * sumB / n;
      long now = System.nanoTime();
      stepNanos[step] = now - began;
      if (step + 1 == steps) {
        done.complete(stepNanos);
        return Behaviors.stopped();
      }
      return step(self, workers, n, steps, done, stepNanos, step + 1, nw, nb, now);
    });
  }

  /** Runs one job (or one JVM of one) and prints its times; see the class comment. */
  public static void main(String[] args) throws Exception {
    org.slf4j.LoggerFactory.getILoggerFactory(); // before any thread logs: no replay warning
    String mode = args.length > 0 ? args[0] : "local";
    switch (mode) {
      case "local":
        local(intArg(args, 1, 1000), intArg(args, 2, 5000), intArg(args, 3, 4));
        break;
      case "coordinator":
        ActorFloorRemote.coordinator(intArg(args, 1, 0), intArg(args, 2, 1000), intArg(args, 3, 3000),
            intArg(args, 4, 2));
        break;
      case "worker":
        ActorFloorRemote.worker(intArg(args, 1, 0), intArg(args, 2, 0), intArg(args, 3, 1000),
            intArg(args, 4, 2));
        break;
      default:
        System.err.println("usage: ActorFloorBenchmark [local N STEPS WORKERS | coordinator PORT"
            + " N STEPS WORKERS | worker COORDINATOR_PORT INDEX N WORKERS]");
        System.exit(2);
    }
  }

  private static int intArg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }

  /** The tutorial's data, the same in every JVM. */
  static double[][] data(int n) {
    Random random = new Random(1);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextGaussian();
      y[i] = 3 * x[i] + 2 + random.nextGaussian();
    }
    return new double[][] {x, y};
  }

  /** Worker {@code index}'s contiguous shard of {@code n} samples: {@code [from, to)}. */
  static int[] shard(int n, int workers, int index) {
    int per = (n + workers - 1) / workers;
    int from = Math.min(n, index * per);
    return new int[] {from, Math.min(n, from + per)};
  }

  /** Each step's time and (across JVMs) its time outside the slowest worker's compute. */
  record Times(long[] step, long[] outside) {
  }

  private static double medianMs(long[] nanos, int from, int to) {
    long[] part = Arrays.copyOfRange(nanos, from, to);
    Arrays.sort(part);
    return part[part.length / 2] / 1e6;
  }

  /**
   * Prints one JSON line: the loop's seconds, ms per step with every step counted, the median
   * step of the second half (PeerBenchmark's rule), of the first 1000 steps and of the last
   * quarter, and, across JVMs, the median time outside the slowest worker's compute over the
   * last quarter (ClusterBenchmark's rules).
   */
  static void printTimes(Times times, double seconds) {
    int steps = times.step().length;
    String outside = times.outside() == null ? "" : String.format(Locale.ROOT,
        ", \"outside_compute_ms\": %.6f", medianMs(times.outside(), steps * 3 / 4, steps));
    System.out.printf(Locale.ROOT, "{\"loop_seconds\": %.6f, \"ms_per_step\": %.6f, "
            + "\"median_step_ms\": %.6f, \"first_steps_ms\": %.6f, "
            + "\"last_quarter_step_ms\": %.6f%s}%n", seconds, 1e3 * seconds / steps,
        medianMs(times.step(), steps / 2, steps), medianMs(times.step(), 0, Math.min(1000, steps)),
        medianMs(times.step(), steps * 3 / 4, steps), outside);
  }

  /**
   * Runs a job in fresh JVMs from {@code jar} (this class's shaded jar): in one JVM with
   * {@code workers} worker actors, or with {@code remote} a coordinator JVM and one JVM per
   * worker on loopback. Returns the printed line; every process is stopped before returning.
   */
  static JsonNode run(Path jar, Path work, long n, long steps, int workers, boolean remote)
      throws Exception {
    List<Process> processes = new ArrayList<>();
    String main = ActorFloorBenchmark.class.getName();
    try {
      if (!remote) {
        processes.add(ClusterBenchmark.start(work, "floor", List.of("-cp", jar.toString(), main,
            "local", "" + n, "" + steps, "" + workers)));
      } else {
        String port = "" + ClusterBenchmark.freePort();
        processes.add(ClusterBenchmark.start(work, "floor", List.of("-cp", jar.toString(), main,
            "coordinator", port, "" + n, "" + steps, "" + workers)));
        for (int i = 0; i < workers; i++) {
          processes.add(ClusterBenchmark.start(work, "floor-worker-" + i, List.of("-cp",
              jar.toString(), main, "worker", port, "" + i, "" + n, "" + workers)));
        }
      }
      Process p = processes.get(0);
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("the actor floor failed; see " + work);
      }
      return Json.MAPPER.readTree(Files.readAllLines(work.resolve("floor.out")).stream().filter(l -> l.startsWith("{"))
          .reduce((a, b) -> b).orElseThrow());
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
      }
    }
  }

  private static void local(int n, int steps, int workerCount) throws Exception {
    double[][] xy = data(n);
    CompletableFuture<long[]> done = new CompletableFuture<>();
    ActorSystem<Message> system = ActorSystem.create(Behaviors.setup(ctx -> {
      List<ActorRef<Compute>> workers = new ArrayList<>();
      for (int i = 0; i < workerCount; i++) {
        int[] s = shard(n, workerCount, i);
        workers.add(ctx.spawn(worker(Arrays.copyOfRange(xy[0], s[0], s[1]),
            Arrays.copyOfRange(xy[1], s[0], s[1])), "worker-" + (i + 1)));
      }
      return coordinator(workers, n, steps);
    }), "floor", ConfigFactory.parseString(
        // As local-runner runs a job this small: one dispatcher thread.
        "akka.actor.default-dispatcher.fork-join-executor.parallelism-min = 1\n"
            + "akka.actor.default-dispatcher.fork-join-executor.parallelism-max = 1\n"
            + "akka.loglevel = WARNING\nakka.actor.provider = local")
        .withFallback(ConfigFactory.load()));
    long t0 = System.nanoTime();
    system.tell(new Start(done));
    long[] stepNanos = done.get();
    double seconds = (System.nanoTime() - t0) / 1e9;
    system.terminate();
    printTimes(new Times(stepNanos, null), seconds);
  }
}
