package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

/** The documented order of an epoch's samples, and a batch's members by chunk. */
class EpochOrderTest {

  @Test
  void theOrderIsAPermutationDrawnFromSeedAndEpochOnly() {
    int[] a = EpochOrder.of(42, 0, 1000, true);
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertEquals(i, sorted[i]);
    }
    assertArrayEquals(a, EpochOrder.of(42, 0, 1000, true), "the same numbers, the same order");
    assertFalse(Arrays.equals(a, EpochOrder.of(42, 1, 1000, true)), "another epoch");
    assertFalse(Arrays.equals(a, EpochOrder.of(43, 0, 1000, true)), "another seed");
    int[] identity = EpochOrder.of(42, 5, 7, false);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, identity, "--no-shuffle");
  }

  /**
   * The first values docs/training-loop.md quotes for seed 42, epoch 0, n = 10, so that an
   * independent program can check its port against them.
   */
  @Test
  void theDocumentedExampleHoldsItsValues() {
    assertArrayEquals(DOCUMENTED, EpochOrder.of(42, 0, 10, true));
  }

  static final int[] DOCUMENTED = {5, 1, 4, 8, 6, 3, 9, 2, 0, 7};

  @Test
  void aBatchsMembersAreGroupedByChunkInSampleOrder() {
    Batch batch = new Batch(42, 0, true, 1000, 100, 50);
    NavigableMap<Integer, int[]> members = new EpochOrder().members(batch, 64);
    int[] order = EpochOrder.of(42, 0, 1000, true);
    int[] expected = Arrays.copyOfRange(order, 100, 150);
    Arrays.sort(expected);
    int[] flat = members.values().stream().flatMapToInt(Arrays::stream).toArray();
    assertArrayEquals(expected, flat, "every member once, chunk after chunk, ascending");
    members.forEach((chunk, m) -> {
      for (int i : m) {
        assertEquals(chunk, i / 64);
      }
    });
    assertTrue(members.size() > 1);
  }

  @Test
  void anOffsetOrderNamesTheSamplesFromItsFirst() {
    Batch batch = new Batch(42, 0, true, 10, 0, 10, 1020);
    NavigableMap<Integer, int[]> members = new EpochOrder().members(batch, 64);
    // samples 1020..1029: chunk 15 (960..1023) holds four, chunk 16 the other six
    assertArrayEquals(new int[] {1020, 1021, 1022, 1023}, members.get(15));
    assertArrayEquals(new int[] {1024, 1025, 1026, 1027, 1028, 1029}, members.get(16));
    assertEquals(2, members.size());
    assertEquals(10, Batch.all(1020, 10).count());
  }

  @Test
  void aBatchOutsideItsEpochIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Batch(1, 0, true, 10, 8, 3));
    assertThrows(IllegalArgumentException.class, () -> new Batch(1, 0, true, 10, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Batch(1, -1, true, 10, 0, 1));
  }
}
