package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetSpecTest {

  private static DatasetSpec synthetic(long n, int chunk) {
    return new DatasetSpec(DatasetSpec.Source.synthetic(n, List.of(3.0), 2, 1, 42), chunk);
  }

  @Test
  void defaultChunkSizeSpreadsSmallJobsAndCapsChunkCount() {
    assertEquals(64, DatasetSpec.defaultChunkSize(1000));
    assertEquals(16, synthetic(1000, DatasetSpec.defaultChunkSize(1000)).numChunks());
    for (long n : new long[] {1, 63, 64, 65, 1000, 65_536, 65_537, 1_000_000, 8_000_000,
        123_456_789L}) {
      int c = DatasetSpec.defaultChunkSize(n);
      assertEquals(1, Integer.bitCount(c), "power of two for n=" + n);
      assertTrue(c >= 64, "at least 64 for n=" + n);
      long chunks = (n + c - 1) / c;
      assertTrue(chunks <= 1024, n + " samples make " + chunks + " chunks");
      assertTrue(c == 64 || chunks > 512, "smallest such power of two for n=" + n);
    }
  }

  @Test
  void chunksCoverEverySampleOnceWithAShortLastChunk() {
    DatasetSpec d = synthetic(1000, 64);
    long covered = 0;
    for (int c = 0; c < d.numChunks(); c++) {
      assertEquals(covered, d.chunkStart(c));
      covered += d.chunkLength(c);
    }
    assertEquals(1000, covered);
    assertEquals(1000 - 15 * 64, d.chunkLength(15));
    assertThrows(IndexOutOfBoundsException.class, () -> d.chunkLength(16));
  }

  @Test
  void invalidValuesNameTheOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> synthetic(10, 0));
    assertTrue(e.getMessage().startsWith("--chunk-size"), e.getMessage());
  }
}
