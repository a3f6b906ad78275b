package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file's values in blocks (as the CSV scan by ranges keeps them): which block holds a run of
 * rows, empty blocks passed over, and copies across blocks.
 */
class ScannedColumnsTest {

  /** Blocks of 3, 0 and 5 rows (arrays longer than the rows); row r's values are r, 10 r. */
  private static ScannedColumns blocks() {
    double[][] x0 = {{0, 1, 2, -1}};
    double[] y0 = {0, 10, 20, -1};
    double[][] x1 = {{-1}};
    double[] y1 = {-1};
    double[][] x2 = {{3, 4, 5, 6, 7, -1, -1}};
    double[] y2 = {30, 40, 50, 60, 70, -1, -1};
    return ScannedColumns.ofBlocks(List.of(x0, x1, x2), List.of(y0, y1, y2),
        new int[] {3, 0, 5});
  }

  @Test
  void aRunOfRowsIsInTheBlockThatHoldsItOrInNone() {
    ScannedColumns c = blocks();
    assertEquals(8, c.rows());
    assertEquals(3, c.blocks());
    assertEquals(0, c.blockOf(0, 3));
    assertEquals(2, c.blockOf(3, 4), "the empty block passed over");
    assertEquals(2, c.blockOf(3, 8));
    assertEquals(-1, c.blockOf(2, 4), "across blocks");
    assertEquals(-1, c.blockOf(7, 9), "past the rows");
    assertEquals(3, c.start(2));
    assertEquals(8L * 2 * (4 + 1 + 7), c.bytes(), "the arrays' lengths");
  }

  @Test
  void aCopyAcrossBlocksTakesEachRowFromItsBlock() {
    double[][] x = {new double[7]};
    double[] y = new double[7];
    blocks().copyTo(1, 7, x, y, 1);
    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6}, x[0]);
    assertArrayEquals(new double[] {0, 10, 20, 30, 40, 50, 60}, y);
  }
}
