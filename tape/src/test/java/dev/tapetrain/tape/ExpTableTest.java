package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/**
 * {@link ExpTable}'s written-out entries are {@code 2^(j/128)} and its relative tail, computed
 * here independently with {@code BigDecimal} (exactly specified, so the same on every JVM) as
 * {@link FixedMath} computed them when its class loaded until 2026-12-07: every bit equal, so
 * writing them out changed no result.
 */
class ExpTableTest {

  @Test
  void everyEntryIsTwoToTheJOver128AndItsTailToTheLastBit() {
    int n = 1 << ExpTable.BITS;
    assertEquals(n, ExpTable.SCALE_BITS.length);
    assertEquals(n, ExpTable.TAIL.length);
    // 2^(j/N) to 60 digits as a product of 2^(1/2), 2^(1/4), …, 2^(1/N).
    MathContext mc = new MathContext(60);
    BigDecimal[] roots = new BigDecimal[ExpTable.BITS];
    BigDecimal root = BigDecimal.valueOf(2);
    for (int b = ExpTable.BITS - 1; b >= 0; b--) {
      root = root.sqrt(mc);
      roots[b] = root; // 2^(2^b / N)
    }
    for (int j = 0; j < n; j++) {
      BigDecimal t = BigDecimal.ONE;
      for (int b = 0; b < ExpTable.BITS; b++) {
        if ((j & (1 << b)) != 0) {
          t = t.multiply(roots[b], mc);
        }
      }
      double hi = t.doubleValue();
      double tail = t.subtract(new BigDecimal(hi)).divide(new BigDecimal(hi), mc).doubleValue();
      assertEquals(Long.toHexString(Double.doubleToRawLongBits(hi)),
          Long.toHexString(ExpTable.SCALE_BITS[j]), "2^(" + j + "/128)");
      assertEquals(Long.toHexString(Double.doubleToRawLongBits(tail)),
          Long.toHexString(Double.doubleToRawLongBits(ExpTable.TAIL[j])), "tail " + j);
    }
  }
}
