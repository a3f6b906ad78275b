package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

/** The reused arrays give exactly {@link EpochOrder#members}, batch after batch. */
class BatchMembersTest {

  @Test
  void theSameMembersAsTheEpochOrderBatchAfterBatchLargeThenSmall() {
    DatasetSpec dataset = new DatasetSpec(DatasetSpec.Source.synthetic(5000, List.of(0.5), 0.1,
        0.1, 1), 64);
    BatchMembers reused = new BatchMembers();
    // Large batches first, then small ones, across epochs and with an offset: what a reused
    // array kept from a larger batch must never show.
    int[][] shapes = {{0, 0, 4096}, {0, 4096, 904}, {1, 0, 7}, {1, 7, 300}, {2, 100, 1},
        {3, 0, 5000}, {3, 5, 33}};
    for (int[] s : shapes) {
      for (long offset : new long[] {0, 0}) {
        Batch batch = new Batch(11, s[0], true, 5000, s[1], s[2], offset);
        check(new EpochOrder().members(batch, dataset), reused, batch, dataset);
      }
    }
    Batch unshuffled = new Batch(11, 0, false, 3000, 10, 500, 2000);
    check(new EpochOrder().members(unshuffled, dataset), reused, unshuffled, dataset);
  }

  private static void check(NavigableMap<Integer, int[]> expected, BatchMembers reused,
      Batch batch, DatasetSpec dataset) {
    reused.of(batch, dataset);
    assertEquals(expected.size(), reused.chunkCount(), batch.toString());
    int k = 0;
    for (Map.Entry<Integer, int[]> e : expected.entrySet()) {
      assertEquals(e.getKey(), reused.chunks()[k]);
      assertEquals(k, reused.indexOf(e.getKey()));
      assertArrayEquals(e.getValue(), Arrays.copyOfRange(reused.samples(), reused.from(k),
          reused.from(k + 1)), "chunk " + e.getKey() + " of " + batch);
      k++;
    }
    assertEquals(-1, reused.indexOf(dataset.numChunks() + 5));
  }
}
