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
  void aHeldOutSplitIsChunkedApartFromTheTrainingSamples() {
    // 203 samples, the last 41 held out (--validation-split 0.2), chunks of 16: the training
    // samples 0..161 make 10 chunks of 16 and one of 2, the validation samples 162..202 two of
    // 16 and one of 9, the first starting at sample 162.
    DatasetSpec.Source src = DatasetSpec.Source.synthetic(203, List.of(3.0), 2, 1, 42);
    DatasetSpec d = new DatasetSpec(src, 16, null, 41);
    assertTrue(d.separated());
    assertEquals(162, d.trainingRows());
    assertEquals(11, d.trainingChunks());
    assertEquals(14, d.numChunks());
    assertEquals(List.of(160L, 162L, 178L, 194L), List.of(d.chunkStart(10), d.chunkStart(11),
        d.chunkStart(12), d.chunkStart(13)));
    assertEquals(List.of(2, 16, 16, 9), List.of(d.chunkLength(10), d.chunkLength(11),
        d.chunkLength(12), d.chunkLength(13)));
    assertEquals(10, d.chunkOf(161));
    assertEquals(11, d.chunkOf(162));
    assertEquals(13, d.chunkOf(202));
    // The source is read and cached whole, as a run without the split cuts it.
    assertEquals(new DatasetSpec(src, 16), d.training());
    assertEquals(src.digest(), d.digest());
    // Every split of every size: the chunks cover the samples once, in order, none crossing
    // the split, and chunkOf agrees with them.
    for (int n : new int[] {2, 17, 64, 203}) {
      DatasetSpec.Source s = DatasetSpec.Source.synthetic(n, List.of(1.0), 0, 1, 1);
      for (int chunk : new int[] {1, 3, 16, 64, 500}) {
        for (int held = 1; held < n; held++) {
          DatasetSpec h = new DatasetSpec(s, chunk, null, held);
          long covered = 0;
          for (int c = 0; c < h.numChunks(); c++) {
            assertEquals(covered, h.chunkStart(c), n + "/" + chunk + "/" + held);
            int len = h.chunkLength(c);
            assertTrue(len >= 1 && len <= chunk);
            long last = covered + len - 1;
            assertEquals(covered < n - held, last < n - held, "chunk " + c + " crosses");
            assertEquals(c, h.chunkOf(covered));
            assertEquals(c, h.chunkOf(last));
            covered += len;
          }
          assertEquals(n, covered);
          assertEquals(h.chunkOf(n - held - 1) + 1, h.trainingChunks());
        }
      }
    }
    // A batch of the validation samples touches their chunks only, each whole.
    var members = new EpochOrder().members(Batch.all(162, 41), d);
    assertEquals(List.of(11, 12, 13), List.copyOf(members.keySet()));
    assertEquals(List.of(16, 16, 9), members.values().stream().map(m -> m.length).toList());
    // Recorded in the run's numbers; a dataset recorded before has none and keeps its chunks.
    assertEquals(d, ProtoCodec.fromProto(ProtoCodec.toProto(d)));
    DatasetSpec old = ProtoCodec.fromProto(ProtoCodec.toProto(d).toBuilder().clearHeldOut()
        .build());
    assertEquals(new DatasetSpec(src, 16), old);
    assertEquals(13, old.numChunks());
    assertThrows(IllegalArgumentException.class, () -> new DatasetSpec(src, 16, null, 203));
    assertThrows(IllegalArgumentException.class, () -> new DatasetSpec(src, 16, null, -1));
    assertThrows(IllegalArgumentException.class, () -> new DatasetSpec(src, 16,
        DatasetSpec.Source.synthetic(5, List.of(3.0), 2, 1, 42), 3));
  }

  @Test
  void invalidValuesNameTheOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> synthetic(10, 0));
    assertTrue(e.getMessage().startsWith("--chunk-size"), e.getMessage());
  }
}
