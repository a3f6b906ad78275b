package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkAssignmentTest {

  private static DatasetSpec data(long n, int chunk) {
    return new DatasetSpec(new DatasetSpec.Synthetic(n, List.of(3.0), 2, 1, 1), chunk);
  }

  private static List<String> workers(int n) {
    List<String> w = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      w.add("w" + i);
    }
    return w;
  }

  private static void assertEveryChunkOwnedOnce(ChunkAssignment<String> a, DatasetSpec d) {
    int[] owners = new int[d.numChunks()];
    for (String w : a.workers()) {
      for (int c : a.chunksOf(w)) {
        owners[c]++;
        assertEquals(w, a.ownerOf(c));
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
          long min = Long.MAX_VALUE;
          long max = 0;
          for (String w : a.workers()) {
            min = Math.min(min, a.samplesOf(w));
            max = Math.max(max, a.samplesOf(w));
          }
          if (d.numChunks() >= count) {
            assertTrue(max - min <= 2L * chunk, n + "/" + chunk + "/" + count + ": " + min
                + ".." + max);
          }
        }
      }
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
    long min = Long.MAX_VALUE;
    long max = 0;
    for (String w : a.workers()) {
      min = Math.min(min, a.samplesOf(w));
      max = Math.max(max, a.samplesOf(w));
    }
    assertTrue(max - min <= 64, min + ".." + max);
  }

  @Test
  void theLastWorkerCannotBeRemovedWithChunks() {
    ChunkAssignment<String> a = ChunkAssignment.balanced(workers(1), data(100, 10));
    assertThrows(IllegalStateException.class, () -> a.remove("w0"));
  }
}
