package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.protocol.CoordinatorProtocol.GradientsComputed;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardAssigned;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardRejected;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.worker.shard.ShardEvaluator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The worker actor, with every message serialized as if it crossed the wire. */
class WorkerTest {

  static final ActorTestKit testKit = ActorTestKit.create(
      // A log line awaited may come after a cold Janino compile on a loaded machine.
      ConfigFactory.parseString("akka.actor.serialize-messages = on\n"
          + "akka.actor.testkit.typed.filter-leeway = 30s"));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);
  private static final List<NamedTensor> PARAMS =
      List.of(NamedTensor.scalar("w", 5.0), NamedTensor.scalar("b", 10.0));

  @Test
  void registersWithTheReceptionist() {
    ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
    TestProbe<Receptionist.Listing> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      testKit.system().receptionist().tell(Receptionist.find(WorkerProtocol.SERVICE_KEY,
          probe.getRef()));
      assertTrue(probe.receiveMessage().getServiceInstances(WorkerProtocol.SERVICE_KEY)
          .contains(worker));
      return null;
    });
  }

  @Test
  void answersTheChunksAskedWithTheEvaluatorsNumbers() {
    ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
    TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();
    worker.tell(new WorkerProtocol.AssignShard(DATA, ModelSpec.linear(42),
        List.of(0, 1, 2), coordinator.getRef()));
    ShardAssigned assigned = coordinator.expectMessageClass(ShardAssigned.class);
    assertEquals(List.of(0, 1, 2), assigned.chunks());
    assertEquals("synthetic", assigned.dataDigest());
    // The model it built: the tutorial's initial values, w a weight, no metrics.
    assertEquals(List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10)),
        assigned.layout().initialParams());
    assertEquals(List.of("w"), assigned.layout().weights());
    assertEquals(64, assigned.layout().digest().length());

    // Chunk 9 was not assigned: it is loaded on demand (reassigned from a lost worker).
    worker.tell(new WorkerProtocol.ComputeGradients(3, PARAMS, List.of(2, 9),
        coordinator.getRef()));
    GradientsComputed answer = coordinator.expectMessageClass(GradientsComputed.class);
    assertEquals(3, answer.round());
    assertEquals(worker, answer.worker());
    assertEquals(new ShardEvaluator(DATA).evaluateTree(PARAMS, List.of(2, 9)), answer.results());
  }

  @Test
  void logsWhatItReadOnceAfterLoadingItsShard() {
    // The launchers' logback-launcher.xml logs warnings only unless asked; this test asks for INFO.
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(Worker.class);
    ch.qos.logback.classic.Level was = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
      TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();
      LoggingTestKit.info("loaded 192 rows (generated: nothing read)").withOccurrences(1)
          .expect(testKit.system(), () -> {
            worker.tell(new WorkerProtocol.AssignShard(DATA, ModelSpec.linear(42),
                List.of(0, 1, 2), coordinator.getRef()));
            return coordinator.expectMessageClass(ShardAssigned.class);
          });
    } finally {
      log.setLevel(was);
    }
  }

  /**
   * A round that says many more follow has the worker compile its model at once rather than
   * after its eager rounds (which would take 64 rounds of these 1000 samples). The compile is
   * logged by the evaluator at INFO, with the eager samples before it: this round's only.
   */
  @Test
  void compilesItsModelAtTheFirstRoundWhenTheCoordinatorSaysManyFollow() {
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(ShardEvaluator.class);
    ch.qos.logback.classic.Level was = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
      TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();
      // A width no other test of this JVM compiles: a loop already in the JVM counts as
      // precompiled and would be used at once whatever the round says.
      worker.tell(new WorkerProtocol.AssignShard(DATA, new ModelSpec("mlp", 0, 42,
          java.util.Map.of("hidden", "11")), List.of(0, 1, 2), coordinator.getRef()));
      List<NamedTensor> params = coordinator.expectMessageClass(ShardAssigned.class).layout()
          .initialParams();
      LoggingTestKit.info("into one loop after 192 samples").withOccurrences(1)
          .expect(testKit.system(), () -> {
            worker.tell(new WorkerProtocol.ComputeGradients(0, params, List.of(0, 1, 2),
                coordinator.getRef(), null, 2000));
            return coordinator.expectMessageClass(GradientsComputed.class);
          });
    } finally {
      log.setLevel(was);
    }
  }

  /**
   * An assignment that says many rounds follow has the worker compile its model while it loads
   * (on the JVM's compile thread): its first round, though it says nothing of the rounds after
   * it (so the model would run eagerly), then runs the compiled loop.
   */
  @Test
  void compilesItsModelWhileItLoadsWhenTheAssignmentSaysManyRoundsFollow() throws Exception {
    ch.qos.logback.classic.Logger evaluator = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(ShardEvaluator.class);
    ch.qos.logback.classic.Logger prefetch = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(ShardEvaluator.class);
    ch.qos.logback.classic.Level was = evaluator.getLevel();
    ch.qos.logback.classic.Level wasPrefetch = prefetch.getLevel();
    evaluator.setLevel(ch.qos.logback.classic.Level.INFO);
    prefetch.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
      TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();
      // A width no other test of this JVM compiles (see the test above); the compile thread
      // free (an earlier test's warm-up would have it turn this compile away).
      dev.tapetrain.worker.shard.LoopPrefetch.awaitIdle();
      List<NamedTensor> params = LoggingTestKit.debug("compiled the model's loop ahead")
          .withOccurrences(1).expect(testKit.system(), () -> {
            worker.tell(new WorkerProtocol.AssignShard(DATA, new ModelSpec("mlp", 0, 42,
                java.util.Map.of("hidden", "13")), List.of(0, 1, 2), coordinator.getRef(),
                WorkerProtocol.RejoinWindow.NONE, 2000));
            return coordinator.expectMessageClass(ShardAssigned.class).layout()
                .initialParams();
          });
      LoggingTestKit.info("into one loop after 192 samples").withOccurrences(1)
          .expect(testKit.system(), () -> {
            worker.tell(new WorkerProtocol.ComputeGradients(0, params, List.of(0, 1, 2),
                coordinator.getRef()));
            return coordinator.expectMessageClass(GradientsComputed.class);
          });
    } finally {
      evaluator.setLevel(was);
      prefetch.setLevel(wasPrefetch);
    }
  }

  @Test
  void rejectsAShardItCannotLoad() {
    ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
    TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();
    DatasetSpec missing = new DatasetSpec(DatasetSpec.Source.csv("/no/such/file.csv", List.of("x"),
        "y", 10, "00"), 5);
    worker.tell(new WorkerProtocol.AssignShard(missing, ModelSpec.linear(42),
        List.of(0), coordinator.getRef()));
    ShardRejected rejected = coordinator.expectMessageClass(ShardRejected.class);
    assertTrue(rejected.reason().contains("/no/such/file.csv: no such file"), rejected.reason());
  }

  @Test
  void rejectsAModelItDoesNotHaveNamingTheOnesItHas() {
    ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
    TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();
    worker.tell(new WorkerProtocol.AssignShard(DATA, new ModelSpec("forest", 0, 42,
        java.util.Map.of()), List.of(0), coordinator.getRef()));
    ShardRejected rejected = coordinator.expectMessageClass(ShardRejected.class);
    assertTrue(rejected.reason().contains("unknown model 'forest' (available: linear, logistic, "
        + "softmax, mlp"), rejected.reason());
  }

  @Test
  void stopsWhenToldTheJobIsOver() {
    ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
    TestProbe<Object> watcher = testKit.createTestProbe();
    worker.tell(new WorkerProtocol.StopWork(WorkerProtocol.Outcome.COMPLETED, ""));
    watcher.expectTerminated(worker);
  }
}
