package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.TrainingEvent.WorkerJoined;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The choice of the workers a run starts with, without an actor: who is chosen, how the
 * workers that come are counted, and what the waiting and loading phases say when time runs out.
 */
class WorkerChoiceTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration LOAD = Duration.ofMillis(1500);

  private static WorkerChoice<String> choice(int expected) {
    return new WorkerChoice<>(expected, WAIT, LOAD, w -> "akka://t/user/" + w);
  }

  private static WorkerJoined joined(String w, int up, int expected) {
    return new WorkerJoined("akka://t/user/" + w, up, expected);
  }

  /** A set that keeps the order given, as a listing does. */
  private static Set<String> listing(String... workers) {
    return new LinkedHashSet<>(List.of(workers));
  }

  @Test
  void theFirstWorkersByNameAreChosenOnceEnoughAreUpWhateverTheListingsOrder() {
    WorkerChoice<String> two = choice(2);
    WorkerChoice.Listing<String> one = two.listed(Gathering.none(), listing("c"));
    assertFalse(one.enough());
    assertEquals(List.of(), one.chosen());
    WorkerChoice.Listing<String> both = two.listed(one.waiting(), listing("c", "b"));
    assertTrue(both.enough(), "exactly as many as expected");
    assertEquals(List.of("b", "c"), both.chosen(), "in name order, not the listing's");
    assertEquals(List.of("a", "b"), two.listed(Gathering.none(), listing("c", "a", "b"))
        .chosen(), "the first two by name of three up");
  }

  @Test
  void eachWorkerThatComesIsToldWithHowManyAreUpCountingOnlyThoseStillUp() {
    WorkerChoice<String> three = choice(3);
    WorkerChoice.Listing<String> l = three.listed(Gathering.none(), listing("a"));
    assertEquals(List.of(joined("a", 1, 3)), l.joined());
    l = three.listed(l.waiting(), listing("a", "b"));
    assertEquals(List.of(joined("b", 2, 3)), l.joined(), "a is not told twice");
    l = three.listed(l.waiting(), listing("b", "c"));
    assertEquals(List.of(joined("c", 2, 3)), l.joined(), "a went away: b and c are up");
    l = three.listed(l.waiting(), listing("b", "c", "a"));
    assertEquals(List.of(joined("a", 3, 3)), l.joined(), "a back is told again");
    assertEquals(List.of("a", "b", "c"), l.chosen());
  }

  @Test
  void whatIsSaidWhenTheWaitOrTheLoadingRunsOutAndWhenTheStartIsMadeAgain() {
    WorkerChoice<String> three = choice(3);
    Gathering<String> one = three.listed(Gathering.none(), listing("a")).waiting();
    assertEquals(Stop.failed("only 1 of 3 workers joined within 30 s (--wait-timeout)"),
        three.timedOut(one));
    assertEquals("did not load its shard within 1500 ms", three.lateLoading());
    assertEquals(new TrainingEvent.WaitingAgain("a refused", 3, WAIT),
        three.waitingAgain("a refused"));
    assertEquals(Stop.failed("only 0 of 3 workers joined within 30 s (--wait-timeout) after no "
        + "worker was left while loading (a refused)"), three.timedOut(Gathering.again(
        "a refused")));
    assertEquals(new TrainingEvent.WorkersReady(List.of("akka://t/user/b", "akka://t/user/a")),
        three.ready(List.of("b", "a")), "the admitted workers by name, in assignment order");
    assertThrows(IllegalArgumentException.class, () -> choice(0));
  }

  /**
   * The start's only worker is refused while loading (its data differ): the start is made
   * again, and the choice, given the workers the roster still takes, passes it over for the
   * next by name, which is told as the first one up again.
   */
  @Test
  void aWorkerRefusedWhileLoadingIsPassedOverWhenTheStartIsMadeAgain() {
    DatasetSpec data = new DatasetSpec(
        DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);
    ModelLayout linear = new ModelLayout(List.of(NamedTensor.scalar("w", 5),
        NamedTensor.scalar("b", 10)), List.of("w"), List.of(), "aa".repeat(32));
    RecoveryLog recovery = new RecoveryLog();
    WorkerRoster<String> roster = new WorkerRoster<>(data, new ModelAgreement("linear", null,
        values -> Optional.empty(), layout -> { }), new Silent(), recovery, true);
    WorkerChoice<String> one = choice(1);
    WorkerChoice.Listing<String> first =
        one.listed(Gathering.none(), roster.eligible(listing("b", "a")));
    assertEquals(List.of("a"), first.chosen());
    roster.start(first.chosen());
    roster.loaded("a", List.of(), "other", linear, null);
    String lost = recovery.lastLost();
    roster.startAgain();
    WorkerChoice.Listing<String> again =
        one.listed(Gathering.again(lost), roster.eligible(listing("b", "a")));
    assertEquals(List.of("b"), again.chosen());
    assertEquals(List.of(joined("b", 1, 1)), again.joined());
  }

  /** A crew whose messages go nowhere. */
  private static final class Silent implements Crew<String> {
    @Override
    public void load(String worker, List<Integer> chunks) {}

    @Override
    public void ask(String worker, long round, List<Integer> chunks) {}

    @Override
    public void stop(String worker, Outcome outcome, String detail) {}

    @Override
    public void forget(String worker) {}

    @Override
    public String name(String worker) {
      return worker;
    }
  }
}
