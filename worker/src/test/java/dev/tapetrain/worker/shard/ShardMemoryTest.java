package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker holds its samples once (issue 14, item 6): x and y in float64 are 16 bytes a sample,
 * and a shard may keep at most 24 bytes a sample on the heap after loading and after both the
 * eager and the compiled evaluation have run (a second copy would be 32). With the column cache
 * (issue 28, item 5) the heap does not grow with the share at all: the samples stay in the
 * mapped file, and the heap holds one block of scratch.
 */
class ShardMemoryTest {

  @TempDir
  Path dir;

  private static final long SAMPLES = 2_000_000;
  private static final double MAX_BYTES_PER_SAMPLE = 24;

  private static long usedAfterGc() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      Runtime rt = Runtime.getRuntime();
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }

  private static double bytesPerSample(long compileAfterSamples) throws InterruptedException {
    return bytesPerSample(compileAfterSamples, null);
  }

  private static double bytesPerSample(long compileAfterSamples, CacheSettings cache)
      throws InterruptedException {
    DatasetSpec dataset = new DatasetSpec(
        DatasetSpec.Source.synthetic(SAMPLES, List.of(3.0), 2.0, 1.0, 42), 8192);
    List<Integer> all = new ArrayList<>();
    for (int c = 0; c < dataset.numChunks(); c++) {
      all.add(c);
    }
    List<NamedTensor> params = List.of(NamedTensor.scalar("w", 5.0), NamedTensor.scalar("b", 10));
    long before = usedAfterGc();
    ShardEvaluator evaluator = new ShardEvaluator(dataset, ModelSpec.linear(0),
        compileAfterSamples, cache, note -> { });
    evaluator.ensureLoaded(all);
    for (int step = 0; step < 3; step++) {
      assertEquals(all.size(), evaluator.evaluate(params, all).size());
    }
    long after = usedAfterGc();
    assertEquals(all.size(), evaluator.loadedChunks().size()); // keeps the evaluator reachable
    return (after - before) / (double) SAMPLES;
  }

  @Test
  void aShardEvaluatedEagerlyHoldsItsSamplesOnce() throws Exception {
    double b = bytesPerSample(Long.MAX_VALUE);
    assertTrue(b <= MAX_BYTES_PER_SAMPLE, b + " bytes per sample");
  }

  @Test
  void aShardThatSwitchedToTheCompiledLoopHoldsItsSamplesOnce() throws Exception {
    // The first step runs eagerly (2M samples ≥ the threshold of 1M), the next ones compiled.
    double b = bytesPerSample(1L << 20);
    assertTrue(b <= MAX_BYTES_PER_SAMPLE, b + " bytes per sample");
  }

  @Test
  void aShardInTheColumnCacheKeepsNoSampleOnTheHeap() throws Exception {
    CacheSettings cache = new CacheSettings(CacheSettings.Mode.ON, dir, 1L << 30);
    // Built once before measuring, as a second run finds it: the build's buffers are garbage.
    bytesPerSample(1L << 20, cache);
    double eager = bytesPerSample(Long.MAX_VALUE, cache);
    double compiled = bytesPerSample(1L << 20, cache);
    assertTrue(eager <= 1, eager + " bytes per sample, eagerly");
    assertTrue(compiled <= 1, compiled + " bytes per sample, compiled");
  }
}
