package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.data.Chunk;
import dev.tapetrain.data.SampleGenerator;
import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.ChunkTree;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.EpochOrder;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

/** A worker's sums of a mini-batch's members of its chunks. */
class BatchEvaluationTest {

  private static final DatasetSpec.Source SOURCE =
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42);
  private static final DatasetSpec DATASET = new DatasetSpec(SOURCE, 37);
  private static final List<NamedTensor> PARAMS =
      List.of(NamedTensor.scalar("w", 5.0), NamedTensor.scalar("b", 10.0));

  private static List<Integer> chunksOf(Batch batch) {
    return new ArrayList<>(new EpochOrder().members(batch, DATASET.chunkSize()).keySet());
  }

  @Test
  void eachChunkSumsItsMembersOnlyLikeAPlainLoop() {
    Batch batch = new Batch(7, 2, true, 1000, 96, 64);
    NavigableMap<Integer, int[]> members = new EpochOrder().members(batch, DATASET.chunkSize());
    ShardEvaluator evaluator = new ShardEvaluator(DATASET);
    long count = 0;
    for (int c : members.keySet()) {
      List<ChunkResult> one = evaluator.evaluateTree(PARAMS, List.of(c), batch);
      assertEquals(1, one.size());
      Chunk data = SampleGenerator.generate(SampleGenerator.Params.of(SOURCE), c,
          DATASET.chunkStart(c), DATASET.chunkLength(c));
      double loss = 0;
      double gw = 0;
      for (int i : members.get(c)) {
        int local = i - (int) DATASET.chunkStart(c);
        double e = 5.0 * data.x()[0][local] + 10.0 - data.y()[local];
        loss += e * e;
        gw += 2 * e * data.x()[0][local];
      }
      ChunkResult r = one.get(0);
      assertEquals(members.get(c).length, r.count());
      assertEquals(loss, r.lossSum(), 1e-12 * loss, "chunk " + c);
      assertEquals(gw, NamedTensor.find(r.gradients(), "w").scalarValue(),
          1e-12 * Math.abs(gw), "chunk " + c);
      count += r.count();
    }
    assertEquals(64, count, "every member once");
  }

  @Test
  void aBatchOfWholeChunksHasTheBitsOfThoseChunks() {
    // Without shuffling, positions [74, 148) are samples 74..147: chunks 2 and 3 exactly.
    Batch batch = new Batch(7, 0, false, 1000, 74, 74);
    assertEquals(List.of(2, 3), chunksOf(batch));
    ShardEvaluator evaluator = new ShardEvaluator(DATASET);
    List<ChunkResult> whole = evaluator.evaluateTree(PARAMS, List.of(2, 3));
    List<ChunkResult> members = evaluator.evaluateTree(PARAMS, List.of(2, 3), batch);
    assertEquals(1, whole.size());
    assertEquals(1, members.size());
    assertEquals(sums(whole.get(0)), sums(members.get(0)));
    // The batch touches no other chunk, so the worker's node spans the whole tree.
    assertEquals(List.of(0, DATASET.numChunks() <= 1 ? 1
            : Integer.highestOneBit(DATASET.numChunks() - 1) << 1),
        List.of(members.get(0).chunk(), members.get(0).span()));
  }

  /** {@code r}'s sums with a neutral range tag (a node's tag names its range, not its sums). */
  private static ChunkResult sums(ChunkResult r) {
    return new ChunkResult(0, r.count(), r.lossSum(), r.gradients(), r.metricSums(), 1);
  }

  @Test
  void compiledAndEagerBatchSumsAreBitIdenticalAndIndependentOfTheSplit() {
    Batch batch = new Batch(3, 1, true, 1000, 0, 200);
    List<Integer> chunks = chunksOf(batch);
    ShardEvaluator eager = new ShardEvaluator(DATASET, Long.MAX_VALUE);
    ShardEvaluator compiled = new ShardEvaluator(DATASET, 0);
    List<ChunkResult> expected = eager.evaluateTree(PARAMS, chunks, batch);
    assertEquals(expected, compiled.evaluateTree(PARAMS, chunks, batch));
    assertEquals(true, compiled.isCompiled());
    // Two workers' halves, completed by the coordinator's tree, give the same root.
    List<Integer> left = chunks.subList(0, chunks.size() / 2);
    List<Integer> right = chunks.subList(chunks.size() / 2, chunks.size());
    java.util.Map<Long, ChunkResult> parts = new java.util.HashMap<>();
    for (List<Integer> half : List.of(left, right)) {
      for (ChunkResult r : new ShardEvaluator(DATASET).evaluateTree(PARAMS, half, batch)) {
        parts.put(ChunkTree.key(r.chunk(), r.span()), r);
      }
    }
    java.util.Map<Long, ChunkResult> whole = new java.util.HashMap<>();
    for (ChunkResult r : expected) {
      whole.put(ChunkTree.key(r.chunk(), r.span()), r);
    }
    int width = ChunkTree.width(DATASET.numChunks());
    assertEquals(ChunkTree.sum(whole, 0, width), ChunkTree.sum(parts, 0, width));
  }

  /**
   * The evaluator reuses its members, gathered arrays, rows and parameter list from round to
   * round: a smaller batch after a larger one, a full pass between, a chunk list as the actor's
   * message holds it ({@code ChunkRuns}) or as a plain list, on one or two threads, must give
   * the bits of a fresh evaluator every round.
   */
  @Test
  void reusedBuffersLeakNothingFromRoundToRound() {
    List<Batch> rounds = List.of(new Batch(3, 0, true, 1000, 0, 900),
        new Batch(3, 0, true, 1000, 900, 100), new Batch(3, 1, true, 1000, 500, 7),
        new Batch(3, 2, false, 1000, 40, 300), new Batch(3, 2, true, 1000, 0, 2));
    try (EvaluationThreads two = new EvaluationThreads(2, "test")) {
      for (EvaluationThreads threads : List.of(EvaluationThreads.ONE, two)) {
        ShardEvaluator reused = new ShardEvaluator(DATASET, dev.tapetrain.protocol.ModelSpec
            .linear(0), 0, null, note -> { }, threads);
        for (int pass = 0; pass < 2; pass++) {
          for (Batch batch : rounds) {
            List<Integer> chunks = chunksOf(batch);
            List<Integer> asSent = pass == 0 ? dev.tapetrain.protocol.ChunkRuns.of(chunks)
                : chunks;
            List<NamedTensor> params = List.of(NamedTensor.scalar("w", 5.0 + batch.count()),
                NamedTensor.scalar("b", 10.0 - batch.from()));
            assertEquals(new ShardEvaluator(DATASET, 0).evaluateTree(params, chunks, batch),
                reused.evaluateTree(params, asSent, batch), batch + " on " + threads.count());
            List<Integer> all = new ArrayList<>();
            for (int c = 0; c < DATASET.numChunks(); c++) {
              all.add(c);
            }
            assertEquals(new ShardEvaluator(DATASET, 0).evaluateTree(params, all),
                reused.evaluateTree(params, pass == 0 ? all
                    : dev.tapetrain.protocol.ChunkRuns.of(all)), "a full pass after " + batch);
          }
        }
        assertEquals(true, reused.isCompiled());
      }
    }
  }

  @Test
  void aChunkWithoutMembersOrABatchOfOtherDataIsRefused() {
    Batch batch = new Batch(7, 0, false, 1000, 0, 10);
    ShardEvaluator evaluator = new ShardEvaluator(DATASET);
    assertThrows(IllegalArgumentException.class,
        () -> evaluator.evaluateTree(PARAMS, List.of(5), batch));
    assertThrows(IllegalArgumentException.class, () -> evaluator.evaluateTree(PARAMS,
        List.of(0), new Batch(7, 0, false, 1000, 0, 10, 1)));
  }
}
