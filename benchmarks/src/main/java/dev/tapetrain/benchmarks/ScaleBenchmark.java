package dev.tapetrain.benchmarks;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.tapetrain.coordinator.CoordinatorGuardian;
import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.coordinator.TrainingEvent;
import dev.tapetrain.coordinator.TrainingListener;
import dev.tapetrain.coordinator.TrainingRun;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.models.LinearRegression;
import dev.tapetrain.protocol.ChunkTree;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.CoordinatorProtocol.GradientsComputed;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.ProtocolSerializer;
import dev.tapetrain.protocol.WorkerProtocol.ComputeGradients;
import dev.tapetrain.worker.Worker;
import com.typesafe.config.ConfigFactory;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * How one coordinator's own work grows with its workers (issue 15, goal 5), by simulation in one
 * JVM: a coordinator and W worker actors train N = 1M samples with the default chunks (977 of
 * 1024), for W from 1 to 256, with the run directory and console output a real run writes.
 *
 * <pre>
 * mvn -q package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.tapetrain.benchmarks.ScaleBenchmark [steps]   # ~1 min
 * </pre>
 *
 * <p>The coordinator's own time is the time spent inside its message handlers (a
 * {@link BehaviorInterceptor} around it), per step, median over the second half of the steps:
 * receiving W answers, completing the chunk tree, the optimizer, building the step record, and
 * sending W requests. The record's lines (steps.jsonl, TensorBoard, console) are written on the
 * step log's own thread ({@code BackgroundListener}), which this does not count. Workers compute on the other thread (two
 * dispatcher threads, two vCPUs here), so the step time itself mostly shows compute. Across
 * machines the coordinator's JVM also serializes each request and deserializes each answer;
 * that cost per message is measured here too, so the table gives both.
 */
public final class ScaleBenchmark {

  private ScaleBenchmark() {}

  /** A command line to parse the job's options with. */
  @CommandLine.Command(name = "scale")
  static final class Job {
    @CommandLine.Mixin
    TrainOptions train = new TrainOptions();
  }

  /** Runs the table. Optional argument: steps per run (default 300). */
  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    org.slf4j.LoggerFactory.getILoggerFactory(); // before Akka logs, so nothing is replayed
    Path work = Files.createTempDirectory("tapetrain-scale");
    System.out.printf("%8s %12s %14s %14s %16s%n", "workers", "step ms", "coordinator ms",
        "per worker µs", "msgs (de)ser µs");
    double[] ser = serializationMicros();
    run(work, 16, steps); // warms the JIT up for all runs alike; not shown
    for (int workers : new int[] {1, 4, 16, 64, 256}) {
      double[] r = run(work, workers, steps);
      System.out.printf(Locale.ROOT, "%8d %12.3f %14.3f %14.2f %16.1f%n", workers, r[0], r[1],
          1e3 * r[1] / workers, workers * (ser[0] + ser[1]));
    }
    System.out.printf(Locale.ROOT, "%nper message: serialize a request %.2f µs, deserialize an "
        + "answer %.2f µs (1M samples, 977 chunks spread over 256 workers)%n", ser[0], ser[1]);
  }

  /** {@code [median step ms, median coordinator ms per step]} over the second half. */
  static double[] run(Path work, int workers, int steps) throws Exception {
    long[] inside = new long[1];
    List<double[]> perStep = Collections.synchronizedList(new ArrayList<>());
    long[] last = new long[1];
    TrainingListener meter = event -> {
      if (event instanceof TrainingEvent.Step s) {
        StepRecord r = s.record();
        long now = inside[0];
        perStep.add(new double[] {r.step(), r.stepNanos() / 1e6, (now - last[0]) / 1e6});
        last[0] = now;
      }
    };
    Job job = new Job();
    new CommandLine(job).parseArgs("--examples", "1000000", "--steps", "" + steps,
        "--checkpoint-every", "" + steps,
        "--run-dir", work.resolve(workers + "-workers-" + System.nanoTime()).toString());
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int code = TrainingRun.run("scale", job.train, workers, List.of(meter),
        (spec, coordinator, done) -> ActorSystem.create(
            CoordinatorGuardian.create(timed(coordinator, inside), done, ctx -> {
              for (int i = 1; i <= workers; i++) {
                ctx.spawn(Worker.create(), "worker-" + i);
              }
            }), "tapetrain", ConfigFactory.parseString(
                "akka.actor.default-dispatcher.fork-join-executor.parallelism-min = 2\n"
                    + "akka.actor.default-dispatcher.fork-join-executor.parallelism-max = 2")
                .withFallback(ConfigFactory.load("tapetrain-local"))), quiet, quiet);
    if (code != 0) {
      throw new IllegalStateException("the run with " + workers + " workers ended with " + code);
    }
    List<Double> step = new ArrayList<>();
    List<Double> own = new ArrayList<>();
    for (double[] s : perStep) {
      if (s[0] >= steps / 2) {
        step.add(s[1]);
        own.add(s[2]);
      }
    }
    return new double[] {ClusterBenchmark.median(step), ClusterBenchmark.median(own)};
  }

  /** {@code behavior} with the nanoseconds spent in its handlers added to {@code total[0]}. */
  private static Behavior<CoordinatorProtocol.Command> timed(
      Behavior<CoordinatorProtocol.Command> behavior, long[] total) {
    return Behaviors.intercept(() -> new BehaviorInterceptor<CoordinatorProtocol.Command,
        CoordinatorProtocol.Command>(CoordinatorProtocol.Command.class) {
      @Override
      public Behavior<CoordinatorProtocol.Command> aroundReceive(
          TypedActorContext<CoordinatorProtocol.Command> ctx, CoordinatorProtocol.Command msg,
          ReceiveTarget<CoordinatorProtocol.Command> target) {
        long start = System.nanoTime();
        try {
          return target.apply(ctx, msg);
        } finally {
          total[0] += System.nanoTime() - start;
        }
      }
    }, behavior);
  }

  /**
   * Microseconds to serialize one request and to deserialize one answer with the wire's
   * serializer, for a worker with 1/256 of 977 chunks of the tutorial's model.
   */
  static double[] serializationMicros() throws java.io.NotSerializableException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ser",
        ConfigFactory.parseString("akka.loglevel = WARNING"));
    ProtocolSerializer serializer = new ProtocolSerializer(
        (akka.actor.ExtendedActorSystem) akka.actor.typed.javadsl.Adapter.toClassic(system));
    try {
      List<Integer> chunks = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        chunks.add(512 + c);
      }
      List<NamedTensor> params = List.of(NamedTensor.scalar(LinearRegression.W, 3.1),
          NamedTensor.scalar(LinearRegression.B, 2.1));
      ComputeGradients request = new ComputeGradients(7, params, chunks, system.unsafeUpcast());
      List<ChunkResult> perChunk = new ArrayList<>();
      for (int c : chunks) {
        perChunk.add(new ChunkResult(c, 1024, 1.5 * c, List.of(
            NamedTensor.scalar(LinearRegression.W, 0.1 * c),
            NamedTensor.scalar(LinearRegression.B, 0.2 * c))));
      }
      GradientsComputed answer = new GradientsComputed(7, system.unsafeUpcast(),
          ChunkTree.aggregate(perChunk, 977), 123_456);
      byte[] bytes = serializer.toBinary(answer);
      String manifest = serializer.manifest(answer);
      double[] out = new double[2];
      for (int round = 0; round < 3; round++) {
        int n = 200_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          serializer.toBinary(request);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          serializer.fromBinary(bytes, manifest);
        }
        long t2 = System.nanoTime();
        out[0] = (t1 - t0) / 1e3 / n;
        out[1] = (t2 - t1) / 1e3 / n;
      }
      return out;
    } finally {
      system.terminate();
    }
  }
}
