package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.WorkerRoster.Admitted;
import dev.tapetrain.coordinator.WorkerRoster.Refused;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Who takes part, without an actor: one admission for workers of the start and joiners, the
 * same refusal reasons, losses that move chunks and ask for what the open round needs, and what
 * each worker is told.
 */
class WorkerRosterTest {

  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64); // 16 chunks

  private static ModelLayout layout(String digest) {
    return new ModelLayout(List.of(NamedTensor.scalar("w", 5), NamedTensor.scalar("b", 10)),
        List.of("w"), List.of(), digest);
  }

  private static final ModelLayout LINEAR = layout("aa".repeat(32));

  /** Every message the roster sends, as text. */
  private static final class Recording implements Crew<String> {
    final List<String> sent = new ArrayList<>();
    /** The workers the coordinator's own failure detector still hears. */
    final java.util.Set<String> reached = new java.util.HashSet<>();

    @Override
    public boolean reaches(String worker) {
      return reached.contains(worker);
    }

    @Override
    public void load(String worker, List<Integer> chunks) {
      sent.add("load " + worker + " " + chunks);
    }

    @Override
    public void ask(String worker, long round, List<Integer> chunks) {
      sent.add("ask " + worker + " round " + round + " " + chunks);
    }

    @Override
    public void stop(String worker, Outcome outcome, String detail) {
      sent.add("stop " + worker + " " + outcome + ": " + detail);
    }

    @Override
    public void forget(String worker) {
      sent.add("forget " + worker);
    }

    @Override
    public String name(String worker) {
      return worker;
    }
  }

  private final Recording crew = new Recording();
  private final RecoveryLog recovery = new RecoveryLog();
  private final List<ModelLayout> adopted = new ArrayList<>();

  private WorkerRoster<String> roster(boolean mayWait) {
    return new WorkerRoster<>(DATA, new ModelAgreement("linear", null, values -> Optional.empty(),
        adopted::add), crew, recovery, mayWait);
  }

  /** A roster whose workers {@code a} and {@code b} loaded and were admitted. */
  private WorkerRoster<String> trainingWith(boolean mayWait) {
    WorkerRoster<String> r = roster(mayWait);
    r.start(List.of("a", "b"));
    r.admit("a", chunks(0, 8), "synthetic", LINEAR);
    r.admit("b", chunks(8, 16), "synthetic", LINEAR);
    crew.sent.clear();
    return r;
  }

  private static List<Integer> chunks(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int c = from; c < to; c++) {
      out.add(c);
    }
    return out;
  }

  private Evaluation<String> round(long number) {
    return new Evaluation<>(DATA, new StepsPlan(100, 0, 1, 0, 16, 0).round(number), crew);
  }

  @Test
  void theWorkersOfTheStartLoadContiguousSharesAndAreAdmittedOnceTheirDataAndModelAgree() {
    WorkerRoster<String> r = roster(true);
    r.start(List.of("a", "b"));
    assertEquals(List.of("load a " + chunks(0, 8), "load b " + chunks(8, 16)), crew.sent);
    assertTrue(r.loading());
    assertEquals(Optional.of(new Admitted(false)), r.admit("a", chunks(0, 8), "synthetic",
        LINEAR));
    assertEquals(List.of(LINEAR), adopted, "the first layout sets the run's model");
    assertEquals(Optional.of(new Admitted(false)), r.admit("b", chunks(8, 16), "synthetic",
        LINEAR));
    assertFalse(r.loading());
    assertEquals(List.of(LINEAR), adopted, "adopted once");
    assertEquals(Optional.empty(), r.admit("b", chunks(8, 16), "synthetic", LINEAR),
        "a second answer is not a second admission");
  }

  @Test
  void dataOrAModelThatDifferIsRefusedWithOneWordingForWorkersOfTheStartAndJoiners() {
    WorkerRoster<String> r = roster(true);
    r.start(List.of("a", "b"));
    r.admit("a", chunks(0, 8), "synthetic", LINEAR);
    assertEquals(Optional.of(new Refused("its model differs from the other workers' (layout "
        + "digest bbbbbbbbbbbb…, expected aaaaaaaaaaaa…): another version of model 'linear' on "
        + "its class path?", true)), r.admit("b", chunks(8, 16), "synthetic",
        layout("bb".repeat(32))));
    assertEquals(Optional.empty(), r.listed(Set.of("a", "c"), null), "b was lost, not c");
    Refused data = (Refused) r.admit("c", List.of(), "0123abcd", LINEAR).orElseThrow();
    assertEquals("its data differ from the coordinator's (digest 0123abcd, expected synthetic)",
        data.reason());
    assertFalse(data.member(), "a joiner owns no chunks");
    r.listed(Set.of("a", "c"), null);
    assertFalse(crew.sent.stream().filter(m -> m.startsWith("load c")).count() > 1,
        "a refused worker is never asked again");
  }

  @Test
  void aWorkerThatCannotLoadItsChunksCannotTakePartAndAMemberThatFailsLaterRejectedItsShard() {
    WorkerRoster<String> r = roster(true);
    r.start(List.of("a", "b"));
    assertEquals(Optional.of(new Refused("it cannot take part: no such file", true)),
        r.reject("a", "no such file"));
    r.admit("b", chunks(8, 16), "synthetic", LINEAR);
    assertEquals(Optional.of(new Refused("rejected its shard: out of memory", true)),
        r.reject("b", "out of memory"));
    assertEquals(Optional.empty(), r.reject("z", "who?"), "not part of the run");
  }

  @Test
  void aRefusedJoinerIsToldItWasRefusedAndARefusedMemberThatItWasDroppedLosingItsChunks() {
    WorkerRoster<String> r = trainingWith(true);
    r.listed(Set.of("a", "b", "c"), round(3));
    crew.sent.clear();
    assertEquals(Optional.empty(), r.loaded("c", List.of(), "other", LINEAR, round(3)));
    assertEquals(List.of("forget c", "stop c REFUSED: its data differ from the coordinator's "
        + "(digest other, expected synthetic)"), crew.sent);
    crew.sent.clear();
    Evaluation<String> open = round(3);
    r.askAll(open);
    crew.sent.clear();
    assertEquals(Optional.empty(), r.rejected("b", "disk gone", open));
    assertEquals(List.of("forget b", "stop b DROPPED: rejected its shard: disk gone",
        "ask a round 3 " + chunks(8, 16)), crew.sent,
        "the survivor is asked for the lost member's chunks of the open round");
    assertEquals(List.of("a"), r.members());
  }

  @Test
  void theLastMemberLostWithoutRejoinTimeEndsTheRunWhileLoadingOrInTraining() {
    WorkerRoster<String> loadingAlone = roster(false);
    loadingAlone.start(List.of("a"));
    assertEquals(Optional.of(Stop.failed("no worker left: a it cannot take part: out of memory "
        + "loading 16 chunks")), loadingAlone.rejected("a", "out of memory loading 16 chunks",
        null));
    WorkerRoster<String> noWait = trainingWith(false);
    noWait.lose("b", "terminated", false, round(1));
    assertEquals(Optional.of(Stop.failed("no worker left: a terminated")),
        noWait.lose("a", "terminated", false, round(1)));
    WorkerRoster<String> mayWait = trainingWith(true);
    mayWait.lose("b", "terminated", false, round(1));
    assertEquals(Optional.empty(), mayWait.lose("a", "terminated", false, round(1)),
        "it may wait for another");
    assertEquals(List.of(), mayWait.members());
  }

  /**
   * A start whose last member is refused while loading, in a run that may wait, is made again:
   * the refused worker is told and left out, joiners are forgotten (they may be chosen), and
   * nothing of the failed start reaches the first step's record.
   */
  @Test
  void aStartThatLosesEveryMemberWhileLoadingBeginsAgainWithoutTheRefused() {
    WorkerRoster<String> r = roster(true);
    r.start(List.of("a"));
    assertEquals(Optional.empty(), r.listed(Set.of("a", "j"), null));
    crew.sent.clear();
    assertEquals(Optional.empty(), r.loaded("a", chunks(0, 16), "other", LINEAR, null));
    assertEquals(List.of(), r.members());
    assertFalse(r.loading());
    assertEquals(List.of("forget a", "stop a DROPPED: its data differ from the coordinator's "
        + "(digest other, expected synthetic)"), crew.sent);
    assertEquals("a its data differ from the coordinator's (digest other, expected synthetic)",
        recovery.lastLost());
    assertEquals(Optional.empty(), r.listed(Set.of("a", "j", "k"), null));
    assertEquals(2, crew.sent.size(), "no joiner is asked to load into a start without members");
    crew.sent.clear();
    r.startAgain();
    assertEquals(List.of("forget j"), crew.sent, "the joiner of the failed start");
    assertEquals(Set.of("j", "k"), r.eligible(Set.of("a", "j", "k")), "a was refused");
    assertEquals(List.of(), recovery.drain().events(), "no chunk moved: the start is new");
    crew.sent.clear();
    r.start(List.of("j"));
    assertEquals(List.of("load j " + chunks(0, 16)), crew.sent, "every chunk, as at a start");
    assertEquals(Optional.of(new Admitted(false)),
        r.admit("j", chunks(0, 16), "synthetic", LINEAR));
    assertEquals(List.of("j"), r.members());
  }

  @Test
  void aMemberGoneFromTheListingIsLostUntoldAndTakenBackLikeAJoinerWhenItReturns() {
    WorkerRoster<String> r = trainingWith(true);
    Evaluation<String> open = round(2);
    r.askAll(open);
    crew.sent.clear();
    assertEquals(Optional.empty(), r.listed(Set.of("a"), open));
    assertEquals(List.of("forget b", "ask a round 2 " + chunks(8, 16)), crew.sent,
        "not told to stop: it may come back");
    crew.sent.clear();
    r.listed(Set.of("a", "b"), open);
    assertEquals(List.of("load b " + chunks(8, 16)), crew.sent,
        "back, it loads the chunks it would take, which it still holds");
    assertEquals(Optional.of(new Admitted(true)),
        r.admit("b", chunks(8, 16), "synthetic", LINEAR));
    assertTrue(r.anyReady());
    r.admitReady(3, 0);
    assertEquals(List.of("a", "b"), r.members());
    RecoveryLog.Since since = recovery.drain();
    assertEquals(List.of("left the cluster or became unreachable", "joined"),
        since.events().stream().map(StepRecord.Reassignment::reason).toList());
    assertEquals(8, since.events().get(1).chunksMoved());
  }

  /**
   * Issue 25, item 5: when a partition heals, gossip from the workers that were cut off reports
   * a worker on the coordinator's side unreachable for a moment, and the listing drops it. The
   * coordinator still hears it itself: it is not lost, keeps its chunks, and its answers count.
   */
  @Test
  void aMemberOnlyOtherNodesReportUnreachableIsNotLostWhileTheCoordinatorReachesIt() {
    WorkerRoster<String> r = trainingWith(true);
    Evaluation<String> open = round(4);
    r.askAll(open);
    crew.sent.clear();
    crew.reached.add("a");
    assertEquals(Optional.empty(), r.listed(Set.of(), open), "no 'no worker left'");
    assertEquals(List.of("a"), r.members(), "b, cut off, is lost; a is not");
    assertEquals(List.of("forget b", "ask a round 4 " + chunks(8, 16)), crew.sent);
    assertTrue(r.anySuspect());
    assertEquals(Optional.empty(), r.recheck(open));
    assertEquals(List.of("a"), r.members(), "still heard: still a member");
    r.listed(Set.of("a"), open);
    assertFalse(r.anySuspect(), "listed again: no longer suspect");
    assertEquals(List.of("b left the cluster or became unreachable"), recovery.drain().events()
        .stream().map(e -> e.worker() + " " + e.reason()).toList(), "one loss: b's");
  }

  @Test
  void aSuspectMemberIsLostOnceTheCoordinatorItselfNoLongerReachesIt() {
    WorkerRoster<String> r = trainingWith(true);
    Evaluation<String> open = round(4);
    crew.reached.add("a");
    r.listed(Set.of("b"), open);
    assertEquals(List.of("a", "b"), r.members());
    crew.reached.remove("a");
    assertEquals(Optional.empty(), r.recheck(open));
    assertEquals(List.of("b"), r.members());
    assertFalse(r.anySuspect());
    assertEquals(List.of("a left the cluster or became unreachable"), recovery.drain().events()
        .stream().map(e -> e.worker() + " " + e.reason()).toList());
  }

  @Test
  void aRunWithoutMembersIsTakenOverByTheNextAdmittedJoinerWithEveryChunk() {
    WorkerRoster<String> r = trainingWith(true);
    Evaluation<String> open = round(5);
    r.lose("a", "terminated", false, open);
    r.lose("b", "terminated", false, open);
    r.listed(Set.of("c"), open);
    assertTrue(crew.sent.contains("load c " + chunks(0, 16)), crew.sent.toString());
    r.admit("c", chunks(0, 16), "synthetic", LINEAR);
    r.admitReady(5, 7_000_000);
    crew.sent.clear();
    r.askAll(open);
    assertEquals(List.of("ask c round 5 " + chunks(0, 16)), crew.sent);
    assertEquals(Set.of("c"), r.stopAll(Outcome.COMPLETED, ""));
  }

  @Test
  void theEndIsToldToMembersAndJoinersButNotToRefusedWorkers() {
    WorkerRoster<String> r = trainingWith(true);
    r.listed(Set.of("a", "b", "c", "d"), round(1));
    r.rejected("d", "no such file", round(1));
    crew.sent.clear();
    assertEquals(Set.of("a", "b", "c"), r.stopAll(Outcome.FAILED, "disk full"));
    assertEquals(List.of("stop a FAILED: disk full", "stop b FAILED: disk full",
        "stop c FAILED: disk full"), crew.sent);
  }
}
