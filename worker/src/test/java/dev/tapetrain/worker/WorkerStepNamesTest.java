package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.protocol.CoordinatorProtocol;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardRejected;
import dev.tapetrain.protocol.WorkerProtocol;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A worker's own messages name the step as the step log numbers it (what the coordinator said
 * the round computes), not the round's number: round 3 of a full-batch run is step 2's, and the
 * coordinator says "failed in step 2" of it.
 */
class WorkerStepNamesTest {

  static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("akka.actor.serialize-messages = on"));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theLineOfAWorkerHeldByItsModelNamesTheStepTheCoordinatorNamed() {
    ModelWatch watch = new ModelWatch();
    watch.slot("worker-1").enter(3, "in step 2", 1_000_000_000L);
    ModelWatch.Held held = watch.longest(1).orElseThrow();
    assertEquals("in step 2", held.during());
    assertEquals("the model has not returned for 12 s (in step 2); ",
        ShutdownLimit.heldLine(held, 13_000_000_000L));
  }

  @Test
  void aRoundTheCoordinatorDidNotNameIsNamedByItsNumber() {
    ModelWatch watch = new ModelWatch();
    watch.slot("worker-1").enter(3, "", 1_000_000_000L);
    assertEquals("the model has not returned for 2 s (in round 3); ",
        ShutdownLimit.heldLine(watch.longest(1).orElseThrow(), 3_500_000_000L));
  }

  @Test
  void aRoundAskedBeforeAnyShardIsRefusedNamingItsStep() {
    ActorRef<WorkerProtocol.Command> worker = testKit.spawn(Worker.create());
    TestProbe<CoordinatorProtocol.Command> coordinator = testKit.createTestProbe();
    worker.tell(new WorkerProtocol.ComputeGradients(1, List.of(), List.of(0),
        coordinator.getRef(), null, 0, "while computing the initial loss"));
    assertEquals("asked while computing the initial loss before any shard was assigned",
        coordinator.expectMessageClass(ShardRejected.class).reason());
  }
}
