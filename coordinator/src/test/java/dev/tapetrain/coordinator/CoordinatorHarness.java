package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.CoordinatorProtocol.GradientsComputed;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardAssigned;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.protocol.WorkerProtocol.AssignShard;
import dev.tapetrain.protocol.WorkerProtocol.ComputeGradients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the coordinator's actor tests share: an actor system of their own per test (and so their
 * own Receptionist) with every message serialized as if it crossed the wire, stand-in workers
 * the test drives ({@link FakeWorker}), and the events the coordinator tells.
 */
abstract class CoordinatorHarness {

  static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64); // 16 chunks

  /** The model the stand-in workers report: the tutorial's linear model at W = 5, B = 10. */
  static final dev.tapetrain.protocol.ModelLayout LINEAR =
      new dev.tapetrain.protocol.ModelLayout(
          List.of(NamedTensor.scalar("w", 5.0), NamedTensor.scalar("b", 10.0)), List.of("w"),
          List.of(), "ff".repeat(32));

  ActorTestKit testKit;
  final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("akka.actor.serialize-messages = on"));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  /** A worker the test drives: what it receives goes to its probe. */
  final class FakeWorker {
    final TestProbe<WorkerProtocol.Command> probe = testKit.createTestProbe();
    final ActorRef<WorkerProtocol.Command> ref = testKit.spawn(forwardTo(probe.getRef()));
    List<Integer> chunks = List.of();
    ActorRef<CoordinatorProtocol.Command> coordinator;

    FakeWorker() {
      testKit.system().receptionist().tell(Receptionist.register(WorkerProtocol.SERVICE_KEY, ref));
    }

    /** Takes the assignment it was sent, and says it loaded it; returns the assignment. */
    AssignShard acceptShard() {
      AssignShard m = probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
      chunks = m.chunks();
      coordinator = m.replyTo();
      m.replyTo().tell(new ShardAssigned(ref, m.chunks(), "synthetic", LINEAR));
      return m;
    }

    ComputeGradients expectStep(long step) {
      ComputeGradients m = probe.expectMessageClass(ComputeGradients.class, Duration.ofSeconds(5));
      assertEquals(step, m.round());
      return m;
    }

    void answer(ComputeGradients m) {
      answer(m.round(), m.chunks());
    }

    void answer(long step, List<Integer> chunkList) {
      List<ChunkResult> results = new ArrayList<>();
      for (int c : chunkList) {
        results.add(fakeResult(c));
      }
      coordinator.tell(new GradientsComputed(step, ref, results, 1000));
    }
  }

  private static Behavior<WorkerProtocol.Command> forwardTo(ActorRef<WorkerProtocol.Command> p) {
    return Behaviors.receiveMessage(m -> {
      p.tell(m);
      return Behaviors.same();
    });
  }

  /** A chunk's made-up sums: they depend on the chunk alone, like real ones. */
  static ChunkResult fakeResult(int c) {
    return new ChunkResult(c, DATA.chunkLength(c), c + 1.0,
        List.of(NamedTensor.scalar("w", 0.5 * c), NamedTensor.scalar("b", 1.0)));
  }

  ActorRef<CoordinatorProtocol.Command> coordinator(int workers, long steps,
      Duration timeout) {
    return coordinator(workers, steps, timeout, Duration.ZERO);
  }

  ActorRef<CoordinatorProtocol.Command> coordinator(int workers, long steps,
      Duration timeout, Duration rejoin) {
    return coordinator(workers, steps, timeout, rejoin, Duration.ofSeconds(30));
  }

  ActorRef<CoordinatorProtocol.Command> coordinator(int workers, long steps,
      Duration timeout, Duration rejoin, Duration wait) {
    RunSpec spec = new RunSpec(workers, steps, 0.01, OptimizerSpec.sgd(), DATA,
        StepPolicy.fullBatch(), 1, timeout, wait, 100, rejoin, ModelSpec.linear(42));
    return testKit.spawn(Coordinator.create(spec, null, event -> {
      if (event instanceof TrainingEvent.Step s) {
        events.add(s.record());
      } else if (event instanceof TrainingEvent.Finished f) {
        events.add(f.summary());
      } else if (event instanceof TrainingEvent.NoWorkerLeft n) {
        noWorkerLeft.add(n.round());
      } else if (event instanceof TrainingEvent.WorkersReady w) {
        ready.add(w.workers());
      } else if (event instanceof TrainingEvent.WaitingAgain w) {
        waitingAgain.add(w);
      }
    }, RunStore.NONE));
  }

  /** Rounds in which the coordinator found itself without workers (kept apart from events). */
  final BlockingQueue<Long> noWorkerLeft = new LinkedBlockingQueue<>();

  /** Each time the start lost every worker while loading and the coordinator waits again. */
  final BlockingQueue<TrainingEvent.WaitingAgain> waitingAgain = new LinkedBlockingQueue<>();

  /** The workers training started with, as config.json lists them. */
  final List<List<String>> ready = new java.util.concurrent.CopyOnWriteArrayList<>();

  <T> T next(Class<T> type) throws InterruptedException {
    Object e = events.poll(5, TimeUnit.SECONDS);
    assertNotNull(e, "no " + type.getSimpleName() + " within 5 s");
    return assertInstanceOf(type, e);
  }

}
