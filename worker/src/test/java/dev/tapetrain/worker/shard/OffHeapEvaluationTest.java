package dev.tapetrain.worker.shard;

import static dev.tapetrain.worker.shard.AnswerBits.bits;
import static dev.tapetrain.worker.shard.AnswerBits.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.data.cache.ColumnCache;
import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker whose samples are in the column cache answers every step with the same bits as one
 * that holds them on the heap: eagerly and compiled, full passes and mini-batches, one worker
 * with every chunk or three with a third each, chunks smaller and larger than a block.
 */
class OffHeapEvaluationTest {

  @TempDir
  Path dir;

  private static final ModelSpec LINEAR = ModelSpec.linear(0);
  private static final ModelSpec MLP = new ModelSpec("mlp", 0, 7, Map.of("hidden", "5"));

  private static DatasetSpec dataset(long samples, int chunkSize) {
    return new DatasetSpec(DatasetSpec.Source.synthetic(samples, List.of(3.0, -1.0, 0.5), 2.0,
        1.0, 42), chunkSize);
  }

  /**
   * Three steps (each worker's answers) of {@code workers} workers holding contiguous shares,
   * by full passes and then by a mini-batch, on the heap or (cache not null) off it.
   */
  private List<Long> steps(DatasetSpec d, ModelSpec model, long compileAfter, int workers,
      CacheSettings cache) {
    List<Long> out = new ArrayList<>();
    int n = d.numChunks();
    for (int w = 0; w < workers; w++) {
      List<Integer> share = IntStream.range(w * n / workers, (w + 1) * n / workers).boxed()
          .toList();
      ShardEvaluator e = new ShardEvaluator(d, model, compileAfter, cache, note -> { });
      assertEquals(d.digest(), e.ensureLoaded(share));
      List<NamedTensor> params = params(e);
      for (int step = 0; step < 3; step++) {
        out.addAll(bits(e.evaluateTree(params, share)));
      }
      Batch batch = new Batch(11, 1, true, d.examples(), 0, (int) Math.min(500, d.examples()));
      List<Integer> members = new ArrayList<>(new EpochOrder().members(batch, d.chunkSize())
          .keySet());
      members.retainAll(share);
      for (int step = 0; step < 2; step++) {
        out.addAll(bits(e.evaluateTree(params, members, batch)));
      }
      assertEquals(share.size(), e.loadedChunks().size());
    }
    return out;
  }

  private CacheSettings cache() {
    return new CacheSettings(CacheSettings.Mode.ON, dir, 1L << 30);
  }

  private void assertSameBits(DatasetSpec d, ModelSpec model) {
    for (long compileAfter : new long[] {Long.MAX_VALUE, 0}) {
      for (int workers : new int[] {1, 3}) {
        List<Long> heap = steps(d, model, compileAfter, workers, null);
        List<Long> mapped = steps(d, model, compileAfter, workers, cache());
        assertEquals(heap, mapped, model.name() + ", " + workers + " workers, "
            + (compileAfter == 0 ? "compiled" : "eager"));
        assertTrue(heap.size() > 30, "answers compared: " + heap.size());
      }
    }
  }

  @Test
  void smallChunksGiveTheSameBitsOffTheHeap() {
    assertSameBits(dataset(5000, 300), LINEAR);
    assertSameBits(dataset(5000, 300), MLP);
  }

  @Test
  void chunksLargerThanABlockGiveTheSameBitsOffTheHeap() {
    assertSameBits(dataset(20_000, 9000), LINEAR);
  }

  @Test
  void validationDataOfTheirOwnGiveTheSameBitsOffTheHeap() {
    // --validation-data: its chunks follow the training chunks; each source has its own entry.
    DatasetSpec d = new DatasetSpec(DatasetSpec.Source.synthetic(3000, List.of(3.0, -1.0, 0.5),
        2.0, 1.0, 42), 256, DatasetSpec.Source.synthetic(1100, List.of(3.0, -1.0, 0.5), 2.0,
        1.0, 43));
    assertSameBits(d, LINEAR);
  }

  @Test
  void aDamagedValidationEntryIsBuiltAgainAlone() throws Exception {
    DatasetSpec d = new DatasetSpec(DatasetSpec.Source.synthetic(3000, List.of(3.0, -1.0, 0.5),
        2.0, 1.0, 42), 256, DatasetSpec.Source.synthetic(1100, List.of(3.0, -1.0, 0.5), 2.0,
        1.0, 43));
    List<Long> heap = steps(d, LINEAR, 0, 1, null);
    steps(d, LINEAR, 0, 1, cache());
    Path validation = dir.resolve(dev.tapetrain.data.cache.CacheFile.key(d.validation())
        + ".cols");
    // A damaged copy replaces it (a new file: this JVM's mapping of the old one was checked).
    Path damaged = dir.resolve("damaged");
    java.nio.file.Files.copy(validation, damaged);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(damaged.toFile(), "rw")) {
      f.seek(f.length() - 8);
      f.write(f.read() ^ 1);
    }
    java.nio.file.Files.move(damaged, validation,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    long before = ColumnCache.builds();
    List<String> notes = new ArrayList<>();
    ShardEvaluator e = new ShardEvaluator(d, LINEAR, 0, cache(), notes::add);
    e.ensureLoaded(IntStream.range(0, d.numChunks()).boxed().toList());
    assertEquals(before + 1, ColumnCache.builds(), "only the validation entry: " + notes);
    assertTrue(notes.get(0).startsWith(validation + ": column cache damaged"), notes.toString());
    assertEquals(heap, steps(d, LINEAR, 0, 1, cache()));
  }

  @Test
  void workersOfOneJvmShareOneBuildOfTheCache() {
    DatasetSpec d = dataset(3000, 100);
    long before = ColumnCache.builds();
    steps(d, LINEAR, 0, 3, cache());
    steps(d, LINEAR, 0, 1, cache());
    assertEquals(before + 1, ColumnCache.builds());
  }
}
