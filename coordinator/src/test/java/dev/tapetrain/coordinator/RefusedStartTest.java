package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardAssigned;
import dev.tapetrain.protocol.CoordinatorProtocol.ShardRejected;
import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.WorkerProtocol;
import dev.tapetrain.protocol.WorkerProtocol.AssignShard;
import dev.tapetrain.protocol.WorkerProtocol.ComputeGradients;
import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A start whose every worker is refused while loading (its model class missing, its data
 * different) waits for workers again, as at the start, instead of ending the run at once; a run
 * whose workers cannot come later (no --rejoin-timeout, as local-runner's) still ends at once.
 */
class RefusedStartTest extends CoordinatorHarness {

  private static final Duration LONG = Duration.ofSeconds(30);
  private static final String NO_MODEL =
      "--model: unknown model 'huber' (available: linear, logistic, softmax, mlp)";
  /** Another build of the model: other step-0 values, another digest. */
  private static final ModelLayout OTHER = new ModelLayout(
      List.of(NamedTensor.scalar("w", -7.0), NamedTensor.scalar("b", 0.5)), List.of("w"),
      List.of(), "ee".repeat(32));

  @Test
  void theOnlyWorkerRefusedWhileLoadingIsReplacedByALaterOneAndTheRunHasTheSameBits()
      throws Exception {
    List<List<Object>> reference = inItsOwnSystem(() -> {
      FakeWorker alone = new FakeWorker();
      coordinator(1, 3, LONG, LONG);
      alone.acceptShard();
      return train(alone, 3);
    });
    FakeWorker missing = new FakeWorker();
    coordinator(1, 3, LONG, LONG);
    AssignShard load = missing.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    load.replyTo().tell(new ShardRejected(missing.ref, NO_MODEL));
    WorkerProtocol.StopWork stop =
        missing.probe.expectMessageClass(WorkerProtocol.StopWork.class, Duration.ofSeconds(5));
    assertEquals(Outcome.DROPPED, stop.outcome());
    assertTrue(stop.reason().contains(NO_MODEL), stop.reason());
    TrainingEvent.WaitingAgain waiting = waitingAgain.poll(5, TimeUnit.SECONDS);
    assertNotNull(waiting, "the coordinator says it waits again");
    assertEquals(new TrainingEvent.WaitingAgain(missing.ref.path() + " it cannot take part: "
        + NO_MODEL, 1, LONG), waiting, "who was refused, why, and a whole --wait-timeout");
    assertEquals(List.of(), ready, "training did not start");

    FakeWorker later = new FakeWorker();
    later.acceptShard();
    assertEquals(DATA.numChunks(), later.chunks.size(), "it takes the whole start's share");
    assertEquals(reference, train(later, 3), "the numbers of a run it was in from the start");
    assertEquals(List.of(List.of(later.ref.path().toString())), ready,
        "config.json lists the worker that trained");
    missing.probe.expectNoMessage(Duration.ofMillis(200)); // still listed, never chosen again
  }

  @Test
  void whenNoWorkerComesAfterTheRefusalTheRunEndsAsAStartWithoutWorkersNamingIt()
      throws Exception {
    Duration wait = Duration.ofSeconds(1);
    RunSummary nobody = inItsOwnSystem(() -> {
      coordinator(1, 3, LONG, LONG, wait);
      return next(RunSummary.class);
    });
    FakeWorker stale = new FakeWorker();
    coordinator(1, 3, LONG, LONG, wait);
    AssignShard load = stale.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    // Another copy of the data, and another build of the model: refused for the data, so its
    // model is not the run's either.
    load.replyTo().tell(new ShardAssigned(stale.ref, load.chunks(), "0123abcd", OTHER));
    RunSummary summary = next(RunSummary.class);
    assertEquals(nobody.status(), summary.status());
    assertEquals(Status.FAILED, summary.status());
    assertEquals(nobody.message() + " after no worker was left while loading ("
        + stale.ref.path() + " its data differ from the coordinator's (digest 0123abcd, "
        + "expected synthetic))", summary.message());
    assertEquals("only 0 of 1 workers joined within 1 s (--wait-timeout)", nobody.message());
    assertEquals(0, summary.steps());
    assertEquals(1, waitingAgain.size(), "it waited once");
  }

  /**
   * A worker that came while the refused one loaded is chosen at once, from the listing the
   * coordinator has: no listing needs to change.
   */
  @Test
  void aWorkerAlreadyUpIsChosenAtOnceWhenTheStartsOnlyWorkerIsRefused() throws Exception {
    FakeWorker refused = new FakeWorker();
    coordinator(1, 2, LONG, LONG);
    AssignShard load = refused.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    FakeWorker other = new FakeWorker();
    // Asked to load as a joiner: the coordinator has the listing with it.
    AssignShard asJoiner = other.probe.expectMessageClass(AssignShard.class,
        Duration.ofSeconds(5));
    other.coordinator = asJoiner.replyTo();
    load.replyTo().tell(new ShardAssigned(refused.ref, load.chunks(), "0123abcd", LINEAR));
    ComputeGradients step0 = acceptUntilAsked(other);
    assertEquals(0, step0.round());
    assertEquals(DATA.numChunks(), step0.chunks().size(), "the new start's only worker");
    other.answer(step0);
    other.answer(other.expectStep(1));
    other.answer(other.expectStep(2));
    RunSummary summary = finalSummary();
    assertEquals(Status.COMPLETED, summary.status());
    assertEquals(1, summary.workers());
    assertEquals(List.of(List.of(other.ref.path().toString())), ready);
  }

  @Test
  void withoutRejoinTimeTheOnlyWorkerRefusedEndsTheRunAtOnceSayingWhy() throws Exception {
    FakeWorker missing = new FakeWorker();
    coordinator(1, 3, LONG); // --rejoin-timeout 0: local-runner's, whose workers cannot come
    AssignShard load = missing.probe.expectMessageClass(AssignShard.class, Duration.ofSeconds(5));
    load.replyTo().tell(new ShardRejected(missing.ref, NO_MODEL));
    RunSummary summary = next(RunSummary.class);
    assertEquals(Status.FAILED, summary.status());
    assertEquals("no worker left: " + missing.ref.path() + " it cannot take part: " + NO_MODEL,
        summary.message());
    assertEquals(0, waitingAgain.size(), "it did not wait");
  }

  /** Answers every load {@code w} is asked for, until it is asked for a round. */
  private static ComputeGradients acceptUntilAsked(FakeWorker w) {
    while (true) {
      WorkerProtocol.Command m = w.probe.receiveMessage(Duration.ofSeconds(5));
      if (m instanceof AssignShard load) {
        w.coordinator = load.replyTo();
        load.replyTo().tell(new ShardAssigned(w.ref, load.chunks(), "synthetic", LINEAR));
      } else {
        return assertInstanceOf(ComputeGradients.class, m);
      }
    }
  }

  /**
   * Answers rounds 0 … {@code steps} and returns the numbers of each step's record and of the
   * summary: losses, parameters, gradients, the chained digest of every bit.
   */
  private List<List<Object>> train(FakeWorker w, long steps) throws InterruptedException {
    for (long k = 0; k <= steps; k++) {
      w.answer(w.expectStep(k));
    }
    List<List<Object>> numbers = new ArrayList<>();
    for (long k = 0; k < steps; k++) {
      StepRecord r = next(StepRecord.class);
      numbers.add(List.of(r.step(), r.loss(), r.params(), r.gradients(), r.digest()));
    }
    RunSummary s = next(RunSummary.class);
    assertEquals(Status.COMPLETED, s.status());
    numbers.add(List.of(s.steps(), s.initialLoss(), s.loss(), s.params()));
    return numbers;
  }

  private RunSummary finalSummary() throws InterruptedException {
    Object e;
    do {
      e = events.poll(5, TimeUnit.SECONDS);
    } while (e instanceof StepRecord);
    return assertInstanceOf(RunSummary.class, e);
  }

  /** Runs {@code run} in an actor system of its own (its own Receptionist), then forgets it. */
  private <T> T inItsOwnSystem(Callable<T> run) throws Exception {
    ActorTestKit own = testKit;
    testKit = ActorTestKit.create(ConfigFactory.parseString("akka.actor.serialize-messages = on"));
    try {
      return run.call();
    } finally {
      testKit.shutdownTestKit();
      testKit = own;
      events.clear();
      ready.clear();
      waitingAgain.clear();
    }
  }
}
