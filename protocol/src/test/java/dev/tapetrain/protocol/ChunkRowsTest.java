package dev.tapetrain.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Results copied out of reused rows keep their values. */
class ChunkRowsTest {

  @Test
  void resultsKeepTheirValuesWhenTheRowsAreRefilled() {
    List<NamedTensor> layout = List.of(new NamedTensor("w", new int[] {2}, new double[2]),
        NamedTensor.scalar("b", 0));
    ChunkRows rows = new ChunkRows(layout, 1, 1);
    rows.add(0, 3, new double[] {1, 2, 3, 4, 5});
    rows.add(1, 4, new double[] {6, 7, 8, 9, 10});
    ChunkResult first = rows.result(0, 1);
    ChunkResult second = rows.result(1, 1);
    rows.clear();
    rows.add(5, 1, new double[] {-1, -2, -3, -4, -5});
    ChunkResult third = rows.result(0, 1);
    assertArrayEquals(new double[] {2, 3}, first.gradients().get(0).values());
    assertArrayEquals(new double[] {4}, first.gradients().get(1).values());
    assertArrayEquals(new double[] {7, 8}, second.gradients().get(0).values());
    assertArrayEquals(new double[] {-2, -3}, third.gradients().get(0).values());
    assertEquals(List.of(10.0), second.metricSums());
    assertEquals(6.0, second.lossSum());
  }
}
