package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.data.CsvFile;
import dev.tapetrain.data.DataException;
import dev.tapetrain.data.Chunk;
import dev.tapetrain.data.SampleGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tape-computed chunk sums against the closed-form gradient written out by hand. */
class ShardEvaluatorTest {

  /** Relative tolerance: sums of ≤ 64 terms of similar size differ only by rounding order. */
  private static final double TOL = 1e-12;

  @Test
  void chunkSumsMatchTheClosedFormGradient() {
    DatasetSpec.Source source = DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 42);
    DatasetSpec dataset = new DatasetSpec(source, 64);
    ShardEvaluator evaluator = new ShardEvaluator(dataset);
    double w = 5.0;
    double b = 10.0;
    List<Integer> chunks = List.of(0, 7, 15);
    List<ChunkResult> results = evaluator.evaluate(
        List.of(NamedTensor.scalar("w", w), NamedTensor.scalar("b", b)), chunks);
    assertEquals(3, results.size());
    for (int k = 0; k < chunks.size(); k++) {
      int c = chunks.get(k);
      Chunk data = SampleGenerator.generate(SampleGenerator.Params.of(source), c,
          dataset.chunkStart(c),
          dataset.chunkLength(c));
      double loss = 0;
      double gw = 0;
      double gb = 0;
      for (int i = 0; i < data.size(); i++) {
        double e = w * data.x()[0][i] + b - data.y()[i];
        loss += e * e;
        gw += 2 * e * data.x()[0][i];
        gb += 2 * e;
      }
      ChunkResult r = results.get(k);
      assertEquals(c, r.chunk());
      assertEquals(data.size(), r.count());
      assertEquals(loss, r.lossSum(), TOL * Math.abs(loss));
      assertEquals(gw, NamedTensor.find(r.gradients(), "w").scalarValue(), TOL * Math.abs(gw));
      assertEquals(gb, NamedTensor.find(r.gradients(), "b").scalarValue(), TOL * Math.abs(gb));
    }
  }

  @Test
  void compiledSumsAreBitIdenticalToTheEagerTape() {
    // chunk size 37: full chunks, a short last chunk (1000 = 27·37 + 1) and lane tails of 1
    DatasetSpec dataset = new DatasetSpec(
        DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 7), 37);
    ShardEvaluator eager = new ShardEvaluator(dataset, Long.MAX_VALUE);
    ShardEvaluator compiled = new ShardEvaluator(dataset, 0);
    List<Integer> all = java.util.stream.IntStream.range(0, dataset.numChunks()).boxed().toList();
    for (List<Integer> chunks : List.of(all, List.of(27, 3, 4, 11), all)) {
      for (double[] wb : new double[][] {{5, 10}, {-0.25, 3.5}, {1e6, -1e-6}}) {
        List<NamedTensor> params = List.of(NamedTensor.scalar("w", wb[0]),
            NamedTensor.scalar("b", wb[1]));
        List<ChunkResult> expected = eager.evaluate(params, chunks);
        List<ChunkResult> actual = compiled.evaluate(params, chunks);
        assertEquals(expected, actual, "chunks " + chunks + " at " + java.util.Arrays.toString(wb));
      }
    }
    assertEquals(true, compiled.isCompiled());
    assertEquals(false, eager.isCompiled());
  }

  @Test
  void compilesOnlyAfterEnoughSamplesWentThroughTheTape() {
    DatasetSpec dataset = new DatasetSpec(
        DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 7), 64);
    ShardEvaluator evaluator = new ShardEvaluator(dataset, 2500);
    List<NamedTensor> params = List.of(NamedTensor.scalar("w", 1), NamedTensor.scalar("b", 0));
    List<Integer> all = java.util.stream.IntStream.range(0, dataset.numChunks()).boxed().toList();
    evaluator.evaluate(params, all);
    evaluator.evaluate(params, all);
    assertEquals(false, evaluator.isCompiled(), "2000 samples evaluated");
    evaluator.evaluate(params, all);
    assertEquals(true, evaluator.isCompiled(), "3000 samples evaluated");
  }

  @Test
  void csvChunksAreReadFromTheirRowsAndADifferentCopyIsRefused(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("d.csv");
    Files.writeString(file, "x,y\n1,2\n3,4\n5,6\n7,8\n9,10\n");
    CsvFile.Scan scan = CsvFile.scan(file, List.of("x"), "y");
    DatasetSpec dataset = new DatasetSpec(
        DatasetSpec.Source.csv(file.toString(), List.of("x"), "y", scan.rows(), scan.sha256()), 2);
    ShardEvaluator evaluator = new ShardEvaluator(dataset);
    // Chunk 1 holds rows 2 and 3: (5,6) and (7,8). At w=1, b=0: errors −1, −1.
    ChunkResult r = evaluator.evaluate(
        List.of(NamedTensor.scalar("w", 1), NamedTensor.scalar("b", 0)), List.of(1)).get(0);
    assertEquals(2.0, r.lossSum());
    assertEquals(2 * (-1 * 5 + -1 * 7), NamedTensor.find(r.gradients(), "w").scalarValue());
    assertEquals(1, evaluator.evaluate(
        List.of(NamedTensor.scalar("w", 1), NamedTensor.scalar("b", 0)), List.of(2)).get(0)
        .count());

    Files.writeString(file, "x,y\n1,2\n3,4\n5,6\n7,8\n9,11\n");
    DataException e = assertThrows(DataException.class,
        () -> new ShardEvaluator(dataset).ensureLoaded(List.of(0)));
    assertEquals(true, e.getMessage().contains("differs from the coordinator's"), e.getMessage());
  }
}
