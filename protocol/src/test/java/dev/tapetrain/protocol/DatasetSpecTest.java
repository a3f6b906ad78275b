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
  void validationDataAreChunkedOnTheirOwnAfterTheTrainingSamples() {
    DatasetSpec.Source train = DatasetSpec.Source.csv("/t.csv", List.of("x"), "y", 100, "aa");
    DatasetSpec.Source val = DatasetSpec.Source.csv("/v.csv", List.of("x"), "y", 37, "bb");
    DatasetSpec d = new DatasetSpec(train, 16, val);
    assertEquals(137, d.examples());
    assertEquals(7, d.trainingChunks()); // 6 × 16 + 4
    assertEquals(7 + 3, d.numChunks()); // 16 + 16 + 5: no chunk holds samples of both
    assertEquals(96, d.chunkStart(6));
    assertEquals(4, d.chunkLength(6));
    assertEquals(100, d.chunkStart(7));
    assertEquals(16, d.chunkLength(7));
    assertEquals(132, d.chunkStart(9));
    assertEquals(5, d.chunkLength(9));
    assertEquals(6, d.chunkOf(99));
    assertEquals(7, d.chunkOf(100));
    assertEquals(9, d.chunkOf(136));
    assertEquals("aa+bb", d.digest());
    assertEquals(new DatasetSpec(train, 16), d.training());
    assertEquals(new DatasetSpec(val, 16), d.validationPart());
    // A batch's members by chunk follow the same cut.
    assertEquals(List.of(7, 8, 9), List.copyOf(new EpochOrder().members(Batch.all(100, 37), d)
        .keySet()));
    DatasetSpec.Source other = DatasetSpec.Source.csv("/v.csv", List.of("z"), "y", 37, "bb");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new DatasetSpec(train, 16, other));
    assertTrue(e.getMessage().startsWith("--validation-data"), e.getMessage());
  }

  @Test
  void invalidValuesNameTheOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> synthetic(10, 0));
    assertTrue(e.getMessage().startsWith("--chunk-size"), e.getMessage());
  }
}
