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
import org.junit.jupiter.api.Test;

/**
 * The coordinator against stand-in workers driven by the test, with every message serialized
 * as if it crossed the wire. Each test has its own actor system (and so its own Receptionist).
 */
class CoordinatorTest {

  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64); // 16 chunks

  /** The model the stand-in workers report: the tutorial's linear model at W = 5, B = 10. */
  private static final dev.tapetrain.protocol.ModelLayout LINEAR =
      new dev.tapetrain.protocol.ModelLayout(
          List.of(NamedTensor.scalar("w", 5.0), NamedTensor.scalar("b", 10.0)), List.of("w"),
          List.of(), "ff".repeat(32));

  private ActorTestKit testKit;
  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("akka.actor.serialize-messages = on"));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  /** A worker the test drives: what it receives goes to its probe. */
  private final class FakeWorker {
    final TestProbe<WorkerProtocol.Command> probe = testKit.createTestProbe();
    final ActorRef<WorkerProtocol.Command> ref = testKit.spawn(forwardTo(probe.getRef()));
    List<Integer> chunks = List.of();
    ActorRef<CoordinatorProtocol.Command> coordinator;

    FakeWorker() {
      testKit.system().receptionist().tell(Receptionist.register(WorkerProtocol.SERVICE_KEY, ref));
    }

    void acceptShard() {
      AssignShard m = probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
      chunks = m.chunks();
      coordinator = m.replyTo();
      m.replyTo().tell(new ShardAssigned(ref, m.chunks(), "synthetic", LINEAR));
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
  private static ChunkResult fakeResult(int c) {
    return new ChunkResult(c, DATA.chunkLength(c), c + 1.0,
        List.of(NamedTensor.scalar("w", 0.5 * c), NamedTensor.scalar("b", 1.0)));
  }

  private ActorRef<CoordinatorProtocol.Command> coordinator(int workers, long steps,
      Duration timeout) {
    return coordinator(workers, steps, timeout, Duration.ZERO);
  }

  private ActorRef<CoordinatorProtocol.Command> coordinator(int workers, long steps,
      Duration timeout, Duration rejoin) {
    RunSpec spec = new RunSpec(workers, steps, 0.01, OptimizerSpec.sgd(), DATA,
        StepPolicy.fullBatch(), 1, timeout,
        Duration.ofSeconds(30), 100, rejoin, ModelSpec.linear(42));
    return testKit.spawn(Coordinator.create(spec, null, event -> {
      if (event instanceof TrainingEvent.Step s) {
        events.add(s.record());
      } else if (event instanceof TrainingEvent.Finished f) {
        events.add(f.summary());
      } else if (event instanceof TrainingEvent.NoWorkerLeft n) {
        noWorkerLeft.add(n.round());
      }
    }, RunStore.NONE));
  }

  /** Rounds in which the coordinator found itself without workers (kept apart from events). */
  private final BlockingQueue<Long> noWorkerLeft = new LinkedBlockingQueue<>();

  private <T> T next(Class<T> type) throws InterruptedException {
    Object e = events.poll(5, TimeUnit.SECONDS);
    assertNotNull(e, "no " + type.getSimpleName() + " within 5 s");
    return assertInstanceOf(type, e);
  }

  @Test
  void everyChunkIsAssignedExactlyOnceAndAskedForEachStep() throws Exception {
    List<FakeWorker> workers = List.of(new FakeWorker(), new FakeWorker(), new FakeWorker());
    coordinator(3, 1, Duration.ofSeconds(30));
    int[] owners = new int[DATA.numChunks()];
    for (FakeWorker w : workers) {
      w.acceptShard();
      w.chunks.forEach(c -> owners[c]++);
    }
    for (int c = 0; c < owners.length; c++) {
      assertEquals(1, owners[c], "chunk " + c + " owners");
    }
    for (long step = 0; step <= 1; step++) {
      for (FakeWorker w : workers) {
        ComputeGradients m = w.expectStep(step);
        assertEquals(w.chunks, m.chunks());
        w.answer(m);
      }
    }
    StepRecord record = next(StepRecord.class);
    // Loss = Σ (c + 1) / N over the 16 chunks, whatever the workers.
    assertEquals(136.0 / 1000, record.loss(), 0.0);
    RunSummary summary = next(RunSummary.class);
    assertEquals(Status.COMPLETED, summary.status());
    assertEquals(1, summary.steps());
  }

  @Test
  void answersForAnotherStepOrForChunksNotAskedAreIgnoredAndCounted() throws Exception {
    FakeWorker a = new FakeWorker();
    FakeWorker b = new FakeWorker();
    coordinator(2, 2, Duration.ofSeconds(30));
    a.acceptShard();
    b.acceptShard();
    a.answer(a.expectStep(0));
    b.answer(b.expectStep(0));
    ComputeGradients stepA = a.expectStep(1);
    ComputeGradients stepB = b.expectStep(1);
    a.answer(0, a.chunks);      // old step
    a.answer(1, b.chunks);      // right step, someone else's chunks
    b.answer(stepB);
    a.probe.expectNoMessage(Duration.ofMillis(300));
    a.answer(stepA);
    a.expectStep(2);
    // Evaluation 1 completing emits the record of step 0 with what was ignored meanwhile.
    StepRecord step0 = next(StepRecord.class);
    assertEquals(0, step0.step());
    assertEquals(a.chunks.size() + b.chunks.size(), step0.ignored(),
        "every chunk result of the old-step answer and of the foreign chunks is counted");
    // Step 0's loss is at the parameters after one update; fake sums make it Σ (c + 1) / N.
    assertEquals(136.0 / 1000, step0.loss(), 0.0);
  }

  @Test
  void aWorkerThatStopsMidStepLosesItsChunksAndTheStepCompletes() throws Exception {
    FakeWorker a = new FakeWorker();
    FakeWorker b = new FakeWorker();
    coordinator(2, 1, Duration.ofSeconds(30));
    a.acceptShard();
    b.acceptShard();
    List<Integer> bChunks = b.chunks;
    a.answer(a.expectStep(0));
    b.expectStep(0);
    testKit.stop(b.ref);
    ComputeGradients recovery = a.expectStep(0);
    assertEquals(bChunks, recovery.chunks());
    a.answer(recovery);
    ComputeGradients step1 = a.expectStep(1);
    assertEquals(DATA.numChunks(), step1.chunks().size(), "a owns every chunk now");
    a.answer(step1);
    StepRecord record = next(StepRecord.class);
    assertEquals(1, record.events().size());
    assertEquals(bChunks.size(), record.events().get(0).chunksMoved());
    assertEquals(136.0 / 1000, record.loss(), 0.0);
    RunSummary summary = next(RunSummary.class);
    assertEquals(Status.COMPLETED, summary.status());
    assertEquals(1, summary.workers());
  }

  @Test
  void aWorkerThatMissesTheDeadlineLosesItsChunks() throws Exception {
    FakeWorker a = new FakeWorker();
    FakeWorker b = new FakeWorker();
    coordinator(2, 1, Duration.ofMillis(500));
    a.acceptShard();
    b.acceptShard();
    a.answer(a.expectStep(0));
    b.expectStep(0); // and stays silent
    ComputeGradients recovery = a.expectStep(0);
    assertEquals(b.chunks, recovery.chunks());
    a.answer(recovery);
    a.answer(a.expectStep(1));
    StepRecord record = next(StepRecord.class);
    assertTrue(record.events().get(0).reason().contains("deadline"), record.events().toString());
    assertEquals(Status.COMPLETED, next(RunSummary.class).status());
  }

  /**
   * The deadline runs from each step's own start: steps that each take 0.3 s of a 0.5 s timeout
   * add up to more than the timeout, and no worker is dropped (a timer that ran from the first
   * step, or that was not set again for what is left, would drop b during the second step).
   */
  @Test
  void theDeadlineRunsFromEachStepsStart() throws Exception {
    FakeWorker a = new FakeWorker();
    FakeWorker b = new FakeWorker();
    coordinator(2, 3, Duration.ofMillis(500));
    a.acceptShard();
    b.acceptShard();
    for (long k = 0; k <= 3; k++) {
      a.answer(a.expectStep(k));
      ComputeGradients slow = b.expectStep(k);
      Thread.sleep(300);
      b.answer(slow);
    }
    for (long step = 0; step < 3; step++) {
      StepRecord record = next(StepRecord.class);
      assertEquals(step, record.step());
      assertEquals(List.of(), record.events(), "no worker was dropped");
    }
    RunSummary summary = next(RunSummary.class);
    assertEquals(Status.COMPLETED, summary.status());
    assertEquals(2, summary.workers());
  }

  @Test
  void withNoWorkerLeftTheRunWaitsTheRejoinTimeoutThenFailsSayingSo() throws Exception {
    FakeWorker a = new FakeWorker();
    coordinator(1, 5, Duration.ofSeconds(30), Duration.ofSeconds(1));
    a.acceptShard();
    a.expectStep(0);
    testKit.stop(a.ref);
    Object e = events.poll(500, TimeUnit.MILLISECONDS);
    assertEquals(null, e, "still waiting for a worker half a second later");
    RunSummary summary = next(RunSummary.class);
    assertEquals(Status.FAILED, summary.status());
    assertTrue(summary.message().contains("none came back within 1 s (--rejoin-timeout)"),
        summary.message());
  }

  @Test
  void aWorkerThatArrivesWhileNoneIsLeftTakesOverTheOpenStep() throws Exception {
    FakeWorker a = new FakeWorker();
    coordinator(1, 1, Duration.ofSeconds(30), Duration.ofSeconds(30));
    a.acceptShard();
    a.answer(a.expectStep(0));
    a.expectStep(1);
    testKit.stop(a.ref);
    // The case under test: b arrives once the coordinator knows it has no worker. (Registered
    // earlier, b would be previewed beside a, load half the chunks, and fetch the rest when
    // asked for them: correct too, but another case.)
    assertEquals(1L, noWorkerLeft.poll(5, TimeUnit.SECONDS), "no worker left at step 1");
    FakeWorker b = new FakeWorker();
    AssignShard load = b.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    assertEquals(DATA.numChunks(), load.chunks().size(), "it loads every chunk before any work");
    load.replyTo().tell(new ShardAssigned(b.ref, load.chunks(), "synthetic", LINEAR));
    b.coordinator = load.replyTo();
    ComputeGradients resumed = b.expectStep(1);
    assertEquals(DATA.numChunks(), resumed.chunks().size());
    b.answer(resumed);
    StepRecord record = next(StepRecord.class);
    assertEquals(136.0 / 1000, record.loss(), 0.0, "the same numbers, whoever computed them");
    assertEquals(Status.COMPLETED, next(RunSummary.class).status());
  }

  @Test
  void aJoinerWhoseDataDifferIsRefusedBeforeItGetsWork() throws Exception {
    FakeWorker a = new FakeWorker();
    coordinator(1, 3, Duration.ofSeconds(30));
    a.acceptShard();
    a.answer(a.expectStep(0));
    FakeWorker stale = new FakeWorker();
    AssignShard load = stale.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    assertTrue(!load.chunks().isEmpty(), "a joiner loads the chunks it would take");
    load.replyTo().tell(new ShardAssigned(stale.ref, load.chunks(), "0123abcd", LINEAR));
    WorkerProtocol.StopWork stop =
        stale.probe.expectMessageClass(WorkerProtocol.StopWork.class, Duration.ofSeconds(5));
    assertTrue(stop.reason().contains("its data differ from the coordinator's"), stop.reason());
    for (long step = 1; step <= 3; step++) {
      ComputeGradients m = a.expectStep(step);
      assertEquals(DATA.numChunks(), m.chunks().size(), "the refused joiner took nothing");
      a.answer(m);
    }
    stale.probe.expectNoMessage(Duration.ofMillis(200));
    Object e;
    do {
      e = events.poll(5, TimeUnit.SECONDS);
      if (e instanceof StepRecord r) {
        assertTrue(r.events().stream().noneMatch(ev -> ev.reason().equals("joined")),
            "the refused joiner never joined: " + r.events());
      }
    } while (e instanceof StepRecord);
    assertEquals(Status.COMPLETED, assertInstanceOf(RunSummary.class, e).status());
  }

  @Test
  void theFirstWorkersModelLayoutSetsTheParametersAndAWorkerWithAnotherIsRefused()
      throws Exception {
    FakeWorker a = new FakeWorker();
    FakeWorker b = new FakeWorker();
    coordinator(2, 1, Duration.ofSeconds(30));
    List<NamedTensor> start = List.of(NamedTensor.scalar("w", 0.25), NamedTensor.scalar("b", -1));
    AssignShard first = a.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    AssignShard second = b.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    a.chunks = first.chunks();
    a.coordinator = first.replyTo();
    first.replyTo().tell(new ShardAssigned(a.ref, first.chunks(), "synthetic",
        new dev.tapetrain.protocol.ModelLayout(start, List.of("w"), List.of(), "aa".repeat(32))));
    second.replyTo().tell(new ShardAssigned(b.ref, second.chunks(), "synthetic",
        new dev.tapetrain.protocol.ModelLayout(start, List.of("w"), List.of(), "bb".repeat(32))));
    ComputeGradients step0 = a.expectStep(0);
    assertEquals(start, step0.params(), "the workers' step-0 values, not the spec's");
    assertEquals(DATA.numChunks(), step0.chunks().size(), "b was refused: a takes every chunk");
    WorkerProtocol.StopWork stop =
        b.probe.expectMessageClass(WorkerProtocol.StopWork.class, Duration.ofSeconds(5));
    assertTrue(stop.reason().startsWith("dropped by the coordinator: its model differs from the "
        + "other workers' (layout digest bbbbbbbbbbbb…, expected aaaaaaaaaaaa…)"), stop.reason());
  }

  @Test
  void withoutRejoinTimeAndNoWorkerLeftTheRunFailsAtOnce() throws Exception {
    FakeWorker a = new FakeWorker();
    coordinator(1, 5, Duration.ofSeconds(30));
    a.acceptShard();
    a.expectStep(0);
    testKit.stop(a.ref);
    RunSummary summary = next(RunSummary.class);
    assertEquals(Status.FAILED, summary.status());
    assertTrue(summary.message().startsWith("no worker left"), summary.message());
  }
}
