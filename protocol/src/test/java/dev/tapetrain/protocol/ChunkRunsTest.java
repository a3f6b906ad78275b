package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A list of chunk ids held as runs is the same list as one holding every id. */
class ChunkRunsTest {

  @Test
  void anyListOfIdsIsTheSameListAsRuns() {
    Random random = new Random(11);
    for (int round = 0; round < 2000; round++) {
      List<Integer> ids = new ArrayList<>();
      int next = random.nextInt(50);
      int length = random.nextInt(60);
      for (int i = 0; i < length; i++) {
        // Mostly consecutive, with gaps, repeats and steps back.
        switch (random.nextInt(8)) {
          case 0 -> next += 2 + random.nextInt(5);
          case 1 -> next = Math.max(0, next - 1 - random.nextInt(5));
          case 2 -> next += 0;
          default -> next++;
        }
        ids.add(next);
      }
      List<Integer> expected = List.copyOf(ids);
      ChunkRuns runs = ChunkRuns.of(ids);
      assertEquals(expected, runs);
      assertEquals(runs, expected);
      assertEquals(expected.hashCode(), runs.hashCode());
      assertEquals(expected.size(), runs.size());
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i), runs.get(i), "index " + i + " of " + expected);
      }
      assertEquals(expected, new ArrayList<>(runs), "iteration");
      // Its runs rebuild it, and a run never continues the one before it.
      int[] pairs = new int[2 * runs.runCount()];
      for (int r = 0; r < runs.runCount(); r++) {
        pairs[2 * r] = runs.first(r);
        pairs[2 * r + 1] = runs.count(r);
        if (r > 0) {
          assertEquals(true, runs.first(r) != runs.first(r - 1) + runs.count(r - 1),
              "runs " + (r - 1) + " and " + r + " of " + expected + " should be one");
        }
      }
      assertEquals(expected, ChunkRuns.fromRuns(pairs));
      assertEquals(expected, ChunkRuns.ofIds(ids.stream().mapToInt(Integer::intValue).toArray()));
    }
  }

  @Test
  void runsThatContinueEachOtherAreMergedSoEqualListsCompareEqual() {
    ChunkRuns split = ChunkRuns.fromRuns(new int[] {3, 1, 4, 1, 5, 2});
    ChunkRuns whole = ChunkRuns.fromRuns(new int[] {3, 4});
    assertEquals(1, split.runCount());
    assertEquals(whole, split);
    assertEquals(List.of(3, 4, 5, 6), split);
  }

  @Test
  void aBlockOfThousandsOfIdsIsOneRun() {
    List<Integer> block = new ArrayList<>();
    for (int c = 3900; c < 7800; c++) {
      block.add(c);
    }
    ChunkRuns runs = ChunkRuns.of(block);
    assertEquals(1, runs.runCount());
    assertArrayEquals(new int[] {3900, 3900}, new int[] {runs.first(0), runs.count(0)});
    assertSame(runs, ChunkRuns.of(runs), "a ChunkRuns is kept as it is");
  }

  @Test
  void badRunsAndIndexesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ChunkRuns.fromRuns(new int[] {1}));
    assertThrows(IllegalArgumentException.class, () -> ChunkRuns.fromRuns(new int[] {1, 0}));
    assertThrows(IllegalArgumentException.class, () -> ChunkRuns.fromRuns(new int[] {1, -3}));
    assertThrows(IllegalArgumentException.class,
        () -> ChunkRuns.fromRuns(new int[] {Integer.MAX_VALUE, 2}));
    assertEquals(List.of(Integer.MAX_VALUE), ChunkRuns.fromRuns(new int[] {Integer.MAX_VALUE, 1}));
    ChunkRuns runs = ChunkRuns.ofIds(4, 5, 9);
    assertThrows(IndexOutOfBoundsException.class, () -> runs.get(3));
    assertThrows(IndexOutOfBoundsException.class, () -> runs.get(-1));
    assertEquals(List.of(), ChunkRuns.fromRuns(new int[0]));
    assertEquals(List.of(), ChunkRuns.of(List.of()));
  }
}
