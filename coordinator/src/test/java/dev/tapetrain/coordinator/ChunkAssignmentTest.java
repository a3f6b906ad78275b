package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkAssignmentTest {

  private static DatasetSpec data(long n, int chunk) {
    return new DatasetSpec(DatasetSpec.Source.synthetic(n, List.of(3.0), 2, 1, 1), chunk);
  }

  private static List<String> workers(int n) {
    List<String> w = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      w.add("w" + i);
    }
    return w;
  }

  /** The samples of {@code w}'s chunks, counted from the dataset, not from the assignment. */
  private static long samplesOf(ChunkAssignment<String> a, DatasetSpec d, String w) {
    long n = 0;
    for (int c : a.chunksOf(w)) {
      n += d.chunkLength(c);
    }
    return n;
  }

  /** The largest share minus the smallest, in samples. */
  private static long spread(ChunkAssignment<String> a, DatasetSpec d) {
    long min = Long.MAX_VALUE;
    long max = 0;
    for (String w : a.workers()) {
      min = Math.min(min, samplesOf(a, d, w));
      max = Math.max(max, samplesOf(a, d, w));
    }
    return max - min;
  }

  private static void assertEveryChunkOwnedOnce(ChunkAssignment<String> a, DatasetSpec d) {
    int[] owners = new int[d.numChunks()];
    for (String w : a.workers()) {
      for (int c : a.chunksOf(w)) {
        owners[c]++;
      }
    }
    for (int c = 0; c < owners.length; c++) {
      assertEquals(1, owners[c], "chunk " + c);
    }
  }

  @Test
  void everyChunkIsAssignedOnceAndSharesDifferByAtMostAChunk() {
    for (int n : new int[] {1, 7, 64, 1000, 4097}) {
      for (int chunk : new int[] {1, 5, 64}) {
        DatasetSpec d = data(n, chunk);
        for (int count = 1; count <= 9; count++) {
          ChunkAssignment<String> a = ChunkAssignment.balanced(workers(count), d);
          assertEveryChunkOwnedOnce(a, d);
          if (d.numChunks() >= count) {
            long spread = spread(a, d);
            assertTrue(spread <= 2L * chunk, n + "/" + chunk + "/" + count + ": " + spread);
          }
        }
      }
    }
  }

  @Test
  void trainingAndValidationChunksAreEachSpreadOverEveryWorker() {
    // 1500 training rows and 500 validation rows, chunks of 64: 24 training chunks (the last of
    // 28), then 8 validation chunks (the last of 52). One block over all 32 gave the fourth
    // worker every validation chunk and no training chunk (a new user's run, 2026-12-07).
    DatasetSpec.Source train = DatasetSpec.Source.synthetic(1500, List.of(3.0), 2, 1, 1);
    DatasetSpec.Source val = DatasetSpec.Source.synthetic(500, List.of(3.0), 2, 1, 2);
    DatasetSpec d = new DatasetSpec(train, 64, val);
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(4), d);
    assertEveryChunkOwnedOnce(a, d);
    int t = d.trainingChunks();
    for (String w : a.workers()) {
      long training = a.chunksOf(w).stream().filter(c -> c < t).mapToLong(d::chunkLength).sum();
      long validation = a.chunksOf(w).stream().filter(c -> c >= t)
          .mapToLong(d::chunkLength).sum();
      // A quarter of each side, give or take a chunk (64 samples).
      assertTrue(Math.abs(training - 375) <= 64, w + " trains on " + training);
      assertTrue(Math.abs(validation - 125) <= 64, w + " validates " + validation);
    }
    // Held out of the same data (--validation-split): the same spread.
    DatasetSpec split = new DatasetSpec(DatasetSpec.Source.synthetic(2000, List.of(3.0), 2, 1,
        1), 64, null, 200);
    ChunkAssignment<String> b = ChunkAssignment.balanced(workers(4), split);
    assertEveryChunkOwnedOnce(b, split);
    for (String w : b.workers()) {
      long training = b.chunksOf(w).stream().filter(c -> c < split.trainingChunks())
          .mapToLong(split::chunkLength).sum();
      assertTrue(Math.abs(training - 450) <= 64, w + " trains on " + training);
    }
  }

  @Test
  void chunksOfAWorkerAreContiguous() {
    DatasetSpec d = data(1000, 64);
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(3), d);
    for (String w : a.workers()) {
      List<Integer> c = a.chunksOf(w);
      assertEquals(c.size() - 1, c.get(c.size() - 1) - c.get(0));
    }
  }

  @Test
  void lostWorkersChunksGoToTheLeastLoadedSurvivors() {
    DatasetSpec d = data(1000, 64);
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(4), d);
    List<Integer> lost = a.chunksOf("w1");
    Map<String, List<Integer>> moved = a.remove("w1");
    assertEquals(lost, moved.values().stream().flatMap(List::stream).sorted().toList());
    assertEquals(3, a.workers().size());
    assertEveryChunkOwnedOnce(a, d);
    assertTrue(spread(a, d) <= 64, "spread " + spread(a, d));
  }

  @Test
  void theLastWorkersChunksWaitForTheNextWorker() {
    DatasetSpec d = data(100, 10);
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(1), d);
    assertTrue(a.remove("w0").isEmpty());
    assertEquals(java.util.stream.IntStream.range(0, 10).boxed().toList(), a.orphaned());
    assertEquals(a.orphaned(), a.preview("back"), "a preview changes nothing");
    assertEquals(10, a.orphaned().size());
    assertEquals(java.util.stream.IntStream.range(0, 10).boxed().toList(), a.add("back"));
    assertTrue(a.orphaned().isEmpty());
    assertEveryChunkOwnedOnce(a, d);
  }

  @Test
  void aLostWorkersChunksGoFirstToASurvivorThatHoldsThemInMemory() {
    DatasetSpec d = data(100, 10);
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(3), d);
    List<Integer> ofW2 = a.chunksOf("w2");
    // w0 still holds w2's chunks from an earlier assignment; w1 holds nothing extra.
    a.noteHeld("w0", ofW2);
    java.util.Map<String, List<Integer>> moved = a.remove("w2");
    assertEquals(java.util.Map.of("w0", ofW2), moved);
    assertEveryChunkOwnedOnce(a, d);
  }

  /** The samples of {@code w}'s chunks in {@code [from, to)}. */
  private static long samplesIn(ChunkAssignment<String> a, DatasetSpec d, String w, int from,
      int to) {
    return a.chunksOf(w).stream().filter(c -> c >= from && c < to).mapToLong(d::chunkLength)
        .sum();
  }

  /**
   * A fourth worker joining three that train on 1500 rows and validate on 500 (chunks of 64: 24
   * training chunks, then 8 validation ones) takes a quarter of each. Taking the highest chunks
   * first over all of them, it took validation chunks only (500 samples) and no training one.
   */
  @Test
  void aJoinerTakesItsShareOfTheTrainingChunksAndOfTheValidationChunks() {
    DatasetSpec.Source train = DatasetSpec.Source.synthetic(1500, List.of(3.0), 2, 1, 1);
    DatasetSpec.Source val = DatasetSpec.Source.synthetic(500, List.of(3.0), 2, 1, 2);
    DatasetSpec withData = new DatasetSpec(train, 64, val);
    DatasetSpec heldOut = new DatasetSpec(DatasetSpec.Source.synthetic(2000, List.of(3.0), 2, 1,
        1), 64, null, 500);
    for (DatasetSpec d : List.of(withData, heldOut)) {
      ChunkAssignment<String> a = ChunkAssignment.balanced(workers(3), d);
      List<Integer> preview = a.preview("w3");
      assertEquals(preview, a.add("w3"));
      assertEveryChunkOwnedOnce(a, d);
      int t = d.trainingChunks();
      for (String w : a.workers()) {
        long training = samplesIn(a, d, w, 0, t);
        long validation = samplesIn(a, d, w, t, d.numChunks());
        // A quarter of each side, give or take a chunk (64 samples).
        assertTrue(Math.abs(training - 375) <= 64, w + " trains on " + training);
        assertTrue(Math.abs(validation - 125) <= 64, w + " validates " + validation);
      }
    }
  }

  /**
   * After a loss, w0 validates on twice its share and w2 trains on twice its share (each took
   * the chunks it held of the lost worker's), both with 1000 samples: a joiner takes its
   * training chunks from w2 and its validation chunks from w0, the workers richest in each.
   */
  @Test
  void aJoinerTakesEachKindFromTheWorkerRichestInItNotFromTheRichestOverall() {
    DatasetSpec d = new DatasetSpec(DatasetSpec.Source.synthetic(1000, List.of(3.0), 2, 1, 1),
        50, DatasetSpec.Source.synthetic(1000, List.of(3.0), 2, 1, 2));
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(3), d);
    int t = d.trainingChunks();
    int n = d.numChunks();
    List<Integer> ofW1 = a.chunksOf("w1");
    a.noteHeld("w0", ofW1.stream().filter(c -> c >= t).toList());
    a.noteHeld("w2", ofW1.stream().filter(c -> c < t).toList());
    a.remove("w1");
    assertEquals(List.of(350L, 650L, 650L, 350L), List.of(samplesIn(a, d, "w0", 0, t),
        samplesIn(a, d, "w0", t, n), samplesIn(a, d, "w2", 0, t), samplesIn(a, d, "w2", t, n)));
    a.add("w3");
    assertEveryChunkOwnedOnce(a, d);
    for (String w : a.workers()) {
      // A third of each side, give or take a chunk (50 samples).
      assertTrue(Math.abs(samplesIn(a, d, w, 0, t) - 333) <= 50, w + " trains on "
          + samplesIn(a, d, w, 0, t));
      assertTrue(Math.abs(samplesIn(a, d, w, t, n) - 333) <= 50, w + " validates "
          + samplesIn(a, d, w, t, n));
    }
  }

  /** Without validation chunks a joiner takes what it always took (pinned: 1000 rows, 3 + 1). */
  @Test
  void withoutValidationAJoinerTakesTheHighestChunksOfTheRichestWorkers() {
    DatasetSpec d = data(1000, 64);
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(3), d);
    assertEquals(List.of(List.of(0, 1, 2, 3, 4), List.of(5, 6, 7, 8, 9),
        List.of(10, 11, 12, 13, 14, 15)), a.workers().stream().map(a::chunksOf).toList());
    assertEquals(List.of(4, 9, 14, 15), a.add("w3"));
    assertEveryChunkOwnedOnce(a, d);
  }

  @Test
  void aPreviewIsWhatAddGives() {
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(3), data(1000, 64));
    List<Integer> preview = a.preview("w3");
    assertEquals(4, a.workers().size() + 1);
    assertTrue(!a.contains("w3"));
    assertEquals(preview, a.add("w3"));
  }
}
