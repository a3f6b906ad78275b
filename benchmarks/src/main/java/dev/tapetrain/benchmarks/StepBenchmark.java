package dev.tapetrain.benchmarks;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.coordinator.Coordinator;
import dev.tapetrain.coordinator.RunStore;
import dev.tapetrain.coordinator.RunSummary;
import dev.tapetrain.coordinator.TrainingEvent;
import dev.tapetrain.coordinator.TrainingListener;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time per step in one JVM: a coordinator and {@code workers} worker actors train the tutorial's
 * 1000 samples for {@value #STEPS} steps per invocation (start-up amortised over them), without
 * console or file output.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class StepBenchmark {

  static final int STEPS = 5000;

  @Param({"4"})
  int workers;

  @Param({"1000"})
  long examples;

  /** Dispatcher threads; local-runner uses 1 for jobs this small. */
  @Param({"1", "2"})
  int threads;

  private ActorSystem<SpawnProtocol.Command> system;
  private int run;

  @Setup
  public void setUp() {
    system = ActorSystem.create(SpawnProtocol.create(), "bench", ConfigFactory.parseString(
        "akka.loglevel = WARNING\nakka.log-dead-letters = off\n"
            + "akka.actor.default-dispatcher.fork-join-executor.parallelism-min = " + threads + "\n"
            + "akka.actor.default-dispatcher.fork-join-executor.parallelism-max = " + threads)
        .withFallback(ConfigFactory.load()));
  }

  @TearDown
  public void tearDown() {
    system.terminate();
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public RunSummary steps() throws Exception {
    DatasetSpec data = new DatasetSpec(DatasetSpec.Source.synthetic(examples, List.of(3.0), 2, 1, 42),
        DatasetSpec.defaultChunkSize(examples));
    RunSpec spec = new RunSpec(workers, STEPS, 0.01, OptimizerSpec.sgd(),
        data, StepPolicy.fullBatch(), STEPS, Duration.ofSeconds(30), Duration.ofSeconds(30),
        STEPS, RunSpec.DEFAULT_REJOIN_TIMEOUT, ModelSpec.linear(42));
    CompletableFuture<RunSummary> done = new CompletableFuture<>();
    TrainingListener listener = event -> {
      if (event instanceof TrainingEvent.Finished f) {
        done.complete(f.summary());
      }
    };
    int id = run++;
    Behavior<Void> oneRun = Behaviors.setup(ctx -> {
      for (int i = 0; i < workers; i++) {
        ctx.spawn(Worker.create(), "worker-" + i);
      }
      ctx.watch(ctx.spawn(Coordinator.create(spec, null, listener, RunStore.NONE), "coordinator"));
      return Behaviors.receive(Void.class)
          .onSignal(akka.actor.typed.Terminated.class, t -> Behaviors.stopped())
          .build();
    });
    CompletableFuture<ActorRef<Void>> spawned = AskPattern.<SpawnProtocol.Command,
        ActorRef<Void>>ask(system, reply -> new SpawnProtocol.Spawn<>(oneRun, "run-" + id,
            Props.empty(), reply), Duration.ofSeconds(10), system.scheduler())
        .toCompletableFuture();
    spawned.get(10, TimeUnit.SECONDS);
    RunSummary summary = done.get(5, TimeUnit.MINUTES);
    Thread.sleep(20); // let the stopped workers leave the Receptionist before the next run
    return summary;
  }
}
