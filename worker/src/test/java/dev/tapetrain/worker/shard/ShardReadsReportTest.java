package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.ShardLoader;
import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a worker's shard says it read (the line the worker logs once after loading): from the
 * column cache, each worker the blocks of its share (the JVM checks each block once, so the
 * workers' bytes add up to the file's values exactly); a reload of chunks held reads nothing.
 */
class ShardReadsReportTest {

  @TempDir
  Path dir;

  @Test
  void workersReadTheirShareOfTheColumnCache() {
    int rows = 1_200_000;
    DatasetSpec d = new DatasetSpec(DatasetSpec.Source.synthetic(rows, List.of(3.0, -1.0, 0.5),
        2.0, 1.0, 42), 4096);
    CacheSettings cache = new CacheSettings(CacheSettings.Mode.ON, dir.resolve("cache"),
        CacheSettings.DEFAULT_MAX_BYTES);
    int n = d.numChunks();
    long columns = d.features() + 1;
    long block = 8L << 17; // bytes of one checksum block of one column
    long sum = 0;
    for (int w = 0; w < 3; w++) {
      List<Integer> share = IntStream.range(w * n / 3, (w + 1) * n / 3).boxed().toList();
      ShardEvaluator e = new ShardEvaluator(d, ModelSpec.linear(0), 0, cache, note -> { });
      e.ensureLoaded(share);
      ShardLoader.Reads r = e.lastReads();
      long shareRows = share.stream().mapToLong(d::chunkLength).sum();
      assertEquals(shareRows, r.rows());
      assertTrue(r.cache() != null && r.cache().endsWith(".cols"), r.toString());
      assertTrue(r.bytes() <= columns * (8 * shareRows + 2 * block), "worker " + w + ": "
          + r.bytes() + " bytes for " + shareRows + " rows");
      assertTrue(r.describe().startsWith("loaded " + String.format("%,d", shareRows)
          .replace(',', ' ') + " rows: "), r.describe());
      sum += r.bytes();
      e.ensureLoaded(share);
      assertNull(e.lastReads(), "nothing loaded the second time");
    }
    assertEquals(columns * 8 * rows, sum, "every block of the file checked once in this JVM");
  }
}
