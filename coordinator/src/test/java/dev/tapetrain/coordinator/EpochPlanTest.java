package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.RoundPlan.RoundResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The plan of epochs of mini-batches without an actor: its rounds, their batches, its end. */
class EpochPlanTest {

  // 203 samples in chunks of 16: 13 chunks, the last of 11.
  private static final DatasetSpec DATA = new DatasetSpec(
      DatasetSpec.Source.synthetic(203, List.of(3.0), 2.0, 1.0, 42), 16);

  private static RoundResult after(long updates) {
    return new RoundResult(updates, 1.0, List.of(), Double.NaN);
  }

  /** Every round of a plan run to its end, as the coordinator would (updates counted here). */
  private static List<Round> rounds(EpochPlan plan, long startUpdates) {
    List<Round> out = new ArrayList<>();
    long updates = startUpdates;
    Round r = plan.first();
    while (true) {
      out.add(r);
      Optional<Stop> stop = plan.stopAfter(r, after(updates));
      if (stop.isPresent()) {
        assertEquals(RunSummary.Status.COMPLETED, stop.get().status());
        return out;
      }
      if (r.trains()) {
        updates++;
      }
      r = plan.next(r);
    }
  }

  @Test
  void anEpochVisitsEverySampleOnceInBatchesOfTheOrder() {
    EpochPlan plan = new EpochPlan(DATA, 2, 32, true, false, 42, 0);
    assertEquals(7, plan.stepsPerEpoch());
    List<Round> rounds = rounds(plan, 0);
    // the initial loss, 14 updates, the final loss
    assertEquals(16, rounds.size());
    assertEquals(Round.Loss.INITIAL, rounds.get(0).loss());
    assertFalse(rounds.get(0).trains());
    assertEquals(13, rounds.get(0).chunks().size());
    assertEquals(Round.Loss.FINAL, rounds.get(15).loss());
    for (int epoch = 0; epoch < 2; epoch++) {
      int[] order = EpochOrder.of(42, epoch, 203, true);
      int[] seen = new int[203];
      for (int s = 0; s < 7; s++) {
        Round r = rounds.get(1 + epoch * 7 + s);
        assertTrue(r.trains());
        assertEquals(Round.Loss.BATCH, r.loss());
        assertEquals(epoch, r.batch().epoch());
        assertEquals(s * 32L, r.batch().from());
        assertEquals(s < 6 ? 32 : 11, r.batch().count(), "the last batch is smaller");
        assertEquals(r.batch().count(), r.counts().stream().mapToInt(Integer::intValue).sum());
        // The round's chunks and counts are those of the batch's positions of the order.
        int[] members = Arrays.copyOfRange(order, s * 32, s * 32 + r.batch().count());
        int[] perChunk = new int[13];
        for (int i : members) {
          perChunk[i / 16]++;
          seen[i]++;
        }
        for (int k = 0; k < r.chunks().size(); k++) {
          assertEquals(perChunk[r.chunks().get(k)], r.counts().get(k));
        }
        assertEquals(Arrays.stream(perChunk).filter(n -> n > 0).count(), r.chunks().size());
      }
      for (int i = 0; i < 203; i++) {
        assertEquals(1, seen[i], "sample " + i + " once in epoch " + epoch);
      }
    }
  }

  @Test
  void everyRoundSaysTheUpdatesLeftAfterIt() {
    // 2 epochs of 7 batches: the first round (the initial loss) has all 14 ahead, the round of
    // update k has 13 - k, the final pass none; resumed after 10 updates, 4.
    EpochPlan plan = new EpochPlan(DATA, 2, 32, true, false, 42, 0);
    List<Round> rounds = rounds(plan, 0);
    assertEquals(14, plan.roundsAhead(rounds.get(0)));
    for (int k = 0; k < 14; k++) {
      assertEquals(13 - k, plan.roundsAhead(rounds.get(1 + k)), "update " + k);
    }
    assertEquals(Round.Loss.FINAL, rounds.get(15).loss());
    assertEquals(0, plan.roundsAhead(rounds.get(15)));
    EpochPlan resumed = new EpochPlan(DATA, 2, 32, true, false, 42, 10);
    assertEquals(4, resumed.roundsAhead(resumed.first()));
  }

  @Test
  void dropLastLeavesOutTheSmallerBatch() {
    EpochPlan plan = new EpochPlan(DATA, 3, 32, true, true, 42, 0);
    assertEquals(6, plan.stepsPerEpoch());
    List<Round> rounds = rounds(plan, 0);
    assertEquals(1 + 18 + 1, rounds.size());
    assertTrue(rounds.stream().filter(Round::trains).allMatch(r -> r.batch().count() == 32));
  }

  /**
   * A batch above the training samples is one batch of them all each epoch (Keras' fit,
   * PyTorch's DataLoader): the rounds of a batch of exactly the samples, batch for batch, also
   * beside a validation split and for a B near Long.MAX_VALUE; with --drop-last no batch is left.
   */
  @Test
  void aBatchLargerThanTheSamplesIsOneBatchOfThemAllEachEpoch() {
    long[][] cases = {{203, 203}, {162, 162}};
    for (long[] c : cases) {
      int training = (int) c[0];
      for (long b : new long[] {204, 1000, Long.MAX_VALUE}) {
        EpochPlan big = new EpochPlan(DATA, training, 3, b, true, false, 42, 0);
        EpochPlan exact = new EpochPlan(DATA, training, 3, c[1], true, false, 42, 0);
        assertEquals(1, big.stepsPerEpoch(), "B " + b);
        List<Round> a = rounds(big, 0);
        List<Round> e = rounds(exact, 0);
        assertEquals(e.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
          assertEquals(e.get(i).batch(), a.get(i).batch(), "round " + i + ", B " + b);
          assertEquals(e.get(i).chunks(), a.get(i).chunks());
          assertEquals(e.get(i).counts(), a.get(i).counts());
          assertEquals(e.get(i).loss(), a.get(i).loss());
        }
        assertEquals(3, a.stream().filter(Round::trains).count());
        assertTrue(a.stream().filter(Round::trains)
            .allMatch(r -> r.batch().count() == training));
      }
    }
    IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> new EpochPlan(DATA, 3, 204, true, true, 42, 0));
    assertEquals("--batch-size 204 with --drop-last leaves no batch of the 203 training samples",
        refused.getMessage());
  }

  @Test
  void aResumedPlanGoesOnWithTheBatchesOfTheUninterruptedOne() {
    List<Round> whole = rounds(new EpochPlan(DATA, 3, 32, true, false, 42, 0), 0);
    // After 10 updates: mid-epoch 1 (batch 3 of 7).
    List<Round> resumed = rounds(new EpochPlan(DATA, 3, 32, true, false, 42, 10), 10);
    assertEquals(Round.Loss.RESUMED, resumed.get(0).loss());
    List<Round> wholeTail = whole.subList(11, whole.size());
    List<Round> resumedTail = resumed.subList(1, resumed.size());
    assertEquals(wholeTail.size(), resumedTail.size());
    for (int i = 0; i < wholeTail.size(); i++) {
      Round a = wholeTail.get(i);
      Round b = resumedTail.get(i);
      assertEquals(a.batch(), b.batch());
      assertEquals(a.chunks(), b.chunks());
      assertEquals(a.counts(), b.counts());
      assertEquals(a.loss(), b.loss());
    }
  }

  @Test
  void aValidationSplitIsEvaluatedAfterEachEpochAndNeverTrainedOn() {
    // 203 samples: the first 162 train (5 batches of 32 and one of 2), the last 41 validate.
    EpochPlan plan = new EpochPlan(DATA, 162, 2, 32, true, false, 42, 0);
    assertTrue(plan.validates());
    List<Round> rounds = rounds(plan, 0);
    // initial, 6 updates, validation, 6 updates, validation, final
    assertEquals(1 + 6 + 1 + 6 + 1 + 1, rounds.size());
    for (int at : new int[] {7, 14}) {
      Round v = rounds.get(at);
      assertEquals(Round.Loss.VALIDATION, v.loss());
      assertEquals(Round.Split.VALIDATION, v.split());
      assertFalse(v.trains());
      assertEquals(at == 7 ? 0 : 1, v.batch().epoch());
      assertEquals(162, v.batch().offset());
      assertEquals(41, v.counts().stream().mapToInt(Integer::intValue).sum());
      // Samples 162..202: chunk 10 holds 162..175 (14 of them), chunks 11 and 12 the rest.
      assertEquals(List.of(10, 11, 12), v.chunks());
      assertEquals(List.of(14, 16, 11), v.counts());
    }
    for (Round r : List.of(rounds.get(0), rounds.get(15))) {
      // The initial and the final loss are over the training samples only.
      assertEquals(162, r.counts().stream().mapToInt(Integer::intValue).sum());
      assertEquals(11, r.chunks().size());
    }
    for (Round r : rounds) {
      if (r.trains()) {
        int[] order = EpochOrder.of(42, r.batch().epoch(), 162, true);
        for (int pos = (int) r.batch().from(); pos < r.batch().from() + r.batch().count();
            pos++) {
          assertTrue(order[pos] < 162, "a batch takes training samples only");
        }
      }
    }
    assertEquals(java.util.OptionalLong.of(1), plan.endsEpoch(rounds.get(6)));
    assertTrue(plan.endsEpoch(rounds.get(5)).isEmpty());
  }

  @Test
  void aHeldOutSplitIsItsOwnChunksSoNoRoundSharesAChunkWithTheOtherSide() {
    // The same 203 samples with their last 41 held out and chunked apart: the training samples
    // are chunks 0..10 (the last of 2), the validation samples chunks 11..13 (16, 16, 9).
    DatasetSpec held = new DatasetSpec(DATA.source(), 16, null, 41);
    EpochPlan plan = new EpochPlan(held, 162, 2, 32, true, false, 42, 0);
    List<Round> rounds = rounds(plan, 0);
    assertEquals(1 + 6 + 1 + 6 + 1 + 1, rounds.size());
    for (Round r : rounds) {
      boolean validation = r.split() == Round.Split.VALIDATION;
      for (int k = 0; k < r.chunks().size(); k++) {
        int c = r.chunks().get(k);
        assertEquals(validation, c >= 11, r.loss() + " round asks chunk " + c);
      }
      if (validation) {
        assertEquals(List.of(11, 12, 13), r.chunks());
        assertEquals(List.of(16, 16, 9), r.counts());
      } else if (!r.trains()) {
        // Every training chunk whole: the last holds samples 160 and 161 only.
        assertEquals(11, r.chunks().size());
        for (int k = 0; k < 11; k++) {
          assertEquals(held.chunkLength(k), r.counts().get(k));
        }
      }
    }
  }

  @Test
  void aRunWithEveryUpdateDoneEndsAfterItsFirstRound() {
    EpochPlan plan = new EpochPlan(DATA, 1, 32, true, false, 42, 7);
    Round first = plan.first();
    assertFalse(first.trains());
    assertTrue(plan.stopAfter(first, after(7)).isPresent());
  }
}
