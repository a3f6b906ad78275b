package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.ChunkRuns;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which answers an evaluation accepts: a result only from the worker asked for every chunk it
 * covers, once. Workers are handles compared with {@code equals}: across JVMs each message
 * carries a new handle object for the same worker, so an equal handle must count as the same
 * worker and an unequal one must not, however the check is made cheap.
 */
class EvaluationTest {

  private static final List<NamedTensor> PARAMS =
      List.of(NamedTensor.scalar("w", 0), NamedTensor.scalar("b", 0));
  // 1000 samples in chunks of 64: 16 chunks, the last of 40 samples.
  private static final DatasetSpec DATA =
      new DatasetSpec(DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42), 64);

  private static ChunkResult result(int chunk, int span, long count) {
    return new ChunkResult(chunk, count, 1.0,
        List.of(NamedTensor.scalar("w", 1), NamedTensor.scalar("b", 1)), List.of(), span);
  }

  /** An evaluation of every chunk: worker "a" asked for chunks 0-7, worker "b" for 8-15. */
  private static Evaluation<String> askedOfTwo(String a, String b) {
    Evaluation<String> e = new Evaluation<>(DATA, ChunkRuns.fromRuns(new int[] {0, 16}));
    e.asked(a, ChunkRuns.fromRuns(new int[] {0, 8}));
    e.asked(b, ChunkRuns.fromRuns(new int[] {8, 8}));
    return e;
  }

  @Test
  void anEqualHandleIsTheWorkerAskedAndAnotherWorkerIsNot() {
    String a = new String("worker-a");
    Evaluation<String> e = askedOfTwo(a, new String("worker-b"));
    // A new object equal to "a", as a remote answer's handle is.
    assertTrue(e.accept(new String("worker-a"), result(0, 8, 8 * 64), PARAMS));
    assertFalse(e.accept(new String("worker-a"), result(8, 8, 7 * 64 + 40), PARAMS),
        "worker a answered for b's chunks");
    assertFalse(e.complete());
    assertTrue(e.accept(new String("worker-b"), result(8, 4, 4 * 64), PARAMS));
    assertTrue(e.accept(new String("worker-b"), result(12, 4, 3 * 64 + 40), PARAMS));
    assertTrue(e.complete());
  }

  @Test
  void aSpanReachingIntoAnotherWorkersChunksIsRefused() {
    Evaluation<String> e = new Evaluation<>(DATA, ChunkRuns.fromRuns(new int[] {0, 16}));
    e.asked("a", ChunkRuns.fromRuns(new int[] {0, 3}));
    e.asked("b", ChunkRuns.fromRuns(new int[] {3, 13}));
    // Chunks 0-3: the first three were asked of a, the fourth of b.
    assertFalse(e.accept(new String("a"), result(0, 4, 4 * 64), PARAMS));
    assertFalse(e.accept(new String("b"), result(0, 4, 4 * 64), PARAMS));
    assertTrue(e.accept(new String("a"), result(0, 2, 2 * 64), PARAMS));
    assertTrue(e.accept(new String("a"), result(2, 1, 64), PARAMS));
    assertTrue(e.accept(new String("b"), result(3, 1, 64), PARAMS));
  }

  @Test
  void aResultIsAcceptedOnceAndOnlyWithItsChunksSampleCount() {
    Evaluation<String> e = askedOfTwo("a", "b");
    assertFalse(e.accept("a", result(0, 2, 2 * 64 - 1), PARAMS), "wrong sample count");
    assertTrue(e.accept("a", result(0, 2, 2 * 64), PARAMS));
    assertFalse(e.accept("a", result(0, 2, 2 * 64), PARAMS), "the same chunks again");
    assertFalse(e.accept("a", result(1, 1, 64), PARAMS), "a chunk already covered");
  }

  @Test
  void chunksOutsideTheBatchOrNeverAskedAreRefused() {
    Evaluation<String> e = new Evaluation<>(DATA, ChunkRuns.fromRuns(new int[] {0, 4}));
    e.asked("a", ChunkRuns.fromRuns(new int[] {0, 4}));
    assertFalse(e.accept("a", result(4, 1, 64), PARAMS), "chunk 4 is not in the batch");
    assertFalse(e.accept("a", result(4, 4, 4 * 64), PARAMS));
    assertFalse(e.accept("a", result(0, 8, 8 * 64), PARAMS),
        "counts samples of chunks the batch does not hold");
    assertTrue(e.accept("a", result(0, 4, 4 * 64), PARAMS));
    assertTrue(e.complete());
  }

  @Test
  void aNodeMaySpanChunksTheRoundDoesNotTouchButNotAnotherWorkersChunk() {
    // A mini-batch touching chunks 1, 2, 6 (asked of a) and 9 (asked of b).
    Evaluation<String> e = new Evaluation<>(DATA, ChunkRuns.ofIds(new int[] {1, 2, 6, 9}));
    e.asked("a", ChunkRuns.ofIds(new int[] {1, 2, 6}));
    e.asked("b", ChunkRuns.ofIds(new int[] {9}));
    assertFalse(e.accept("a", result(0, 16, 4 * 64), PARAMS), "chunk 9 is b's");
    assertFalse(e.accept("a", result(8, 8, 0), PARAMS), "no chunk of a in it");
    assertFalse(e.accept("a", result(0, 8, 2 * 64), PARAMS), "chunk 6's samples are missing");
    assertTrue(e.accept("a", result(0, 8, 3 * 64), PARAMS));
    assertFalse(e.complete());
    assertFalse(e.accept("a", result(4, 4, 64), PARAMS), "chunk 6 again");
    assertTrue(e.accept("b", result(8, 8, 64), PARAMS));
    assertTrue(e.complete());
  }

  @Test
  void everyWorkerAskedIsToldTheRoundsThatFollow() {
    List<String> asked = new java.util.ArrayList<>();
    Crew<String> crew = new Crew<>() {
      @Override
      public void load(String worker, List<Integer> chunks) {}

      @Override
      public void ask(String worker, long round, List<Integer> chunks) {
        asked.add(worker + " " + round + " ahead none");
      }

      @Override
      public void ask(String worker, long round, dev.tapetrain.protocol.Batch batch,
          List<Integer> chunks, long roundsAhead) {
        asked.add(worker + " " + round + " ahead " + roundsAhead);
      }

      @Override
      public void stop(String worker, dev.tapetrain.protocol.WorkerProtocol.Outcome outcome,
          String detail) {}

      @Override
      public void forget(String worker) {}

      @Override
      public String name(String worker) {
        return worker;
      }
    };
    StepsPlan plan = new StepsPlan(30, 0, 1, 42, DATA.numChunks(), 0);
    Round first = plan.first();
    Evaluation<String> e = new Evaluation<>(DATA, first, plan.roundsAhead(first), crew);
    e.ask("a", first.chunks().subList(0, 2));
    e.ask("b", first.chunks().subList(2, 4));
    assertEquals(List.of("a 0 ahead 30", "b 0 ahead 30"), asked);
  }
}
