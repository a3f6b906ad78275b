package dev.tapetrain.worker.shard;

import static dev.tapetrain.worker.shard.AnswerBits.bits;
import static dev.tapetrain.worker.shard.AnswerBits.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.cache.CacheSettings;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A worker that evaluates its chunks on 2 or 3 threads ({@code --worker-threads}) answers every
 * round with the bits of one thread: each model, eagerly and compiled, full passes and
 * mini-batches, its samples on the heap and in the column cache. The share spans several
 * blocks, so the compiled loop really runs on several threads.
 */
class ParallelEvaluationTest {

  @TempDir
  Path dir;

  private static final int SAMPLES = 20_000;
  private static final int CHUNK = 700; // 29 chunks: blocks of 11, 11 and 7

  private static ModelSpec model(String name) {
    return switch (name) {
      case "softmax" -> new ModelSpec("softmax", 3, 7, Map.of());
      case "mlp" -> new ModelSpec("mlp", 0, 7, Map.of("hidden", "5"));
      case "logistic" -> new ModelSpec("logistic", 2, 7, Map.of());
      default -> ModelSpec.linear(0);
    };
  }

  private static DatasetSpec dataset(ModelSpec model) {
    return new DatasetSpec(DatasetSpec.Source.synthetic(SAMPLES, List.of(1.5, -0.7, 0.4), 0.3,
        0.5, 42, model.classes()), CHUNK);
  }

  /**
   * Two full passes, then three mini-batches of different members (each round reuses the
   * buffers of the one before), on {@code threads} threads: every answer's bits.
   */
  private List<Long> rounds(ModelSpec model, long compileAfter, CacheSettings cache,
      int threads, boolean compiled) {
    DatasetSpec d = dataset(model);
    List<Integer> all = IntStream.range(0, d.numChunks()).boxed().toList();
    List<Long> out = new ArrayList<>();
    try (EvaluationThreads pool = new EvaluationThreads(threads, "test")) {
      ShardEvaluator e = new ShardEvaluator(d, model, compileAfter, cache, note -> { }, pool);
      e.ensureLoaded(all);
      List<NamedTensor> params = params(e);
      for (int step = 0; step < 2; step++) {
        out.addAll(bits(e.evaluateTree(params, all)));
      }
      for (int b = 0; b < 3; b++) {
        Batch batch = new Batch(11, 1, true, d.examples(), b * 2000L, 2000 - 300 * b);
        List<Integer> members = new ArrayList<>(new EpochOrder().members(batch, d.chunkSize())
            .keySet());
        out.addAll(bits(e.evaluateTree(params, members, batch)));
      }
      assertEquals(compiled, e.isCompiled(), model.name() + " ran compiled");
    }
    return out;
  }

  private void assertSameBitsOnAnyThreads(String name, boolean compiled) {
    ModelSpec model = model(name);
    long compileAfter = compiled ? 0 : Long.MAX_VALUE;
    for (CacheSettings cache : new CacheSettings[] {null,
        new CacheSettings(CacheSettings.Mode.ON, dir, 1L << 30)}) {
      String where = cache == null ? "heap" : "column cache";
      List<Long> one = rounds(model, compileAfter, cache, 1, compiled);
      assertTrue(one.size() > 30, "answers compared: " + one.size());
      for (int threads : new int[] {2, 3}) {
        assertEquals(one, rounds(model, compileAfter, cache, threads, compiled),
            name + (compiled ? " compiled" : " eager") + ", " + where + ", " + threads
                + " threads");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "softmax", "mlp", "logistic"})
  void compiledRoundsHaveTheBitsOfOneThread(String model) {
    assertSameBitsOnAnyThreads(model, true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "softmax", "logistic"})
  void eagerRoundsHaveTheBitsOfOneThread(String model) {
    assertSameBitsOnAnyThreads(model, false);
  }
}
