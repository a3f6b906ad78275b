package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DecimalDouble} gives {@link Double#parseDouble}'s bits for {@code w × 10^q} whenever it
 * gives a number at all (NaN hands the text to fastdoubleparser): on random significands of every
 * length and exponents across the table, on every double printed the usual ways, and on the
 * halfway and boundary cases; and it does decide the ordinary ones, or it would save nothing.
 */
class DecimalDoubleTest {

  /** Checks one decimal; true if decided. */
  private static boolean same(boolean negative, long w, int q) {
    String text = (negative ? "-" : "") + Long.toUnsignedString(w) + "e" + q;
    double got = DecimalDouble.of(negative, w, q);
    if (Double.isNaN(got)) {
      return false;
    }
    assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)),
        Double.doubleToRawLongBits(got), text);
    return true;
  }

  @Test
  void randomSignificandsAndExponentsGiveParseDoublesBits() {
    SplittableRandom r = new SplittableRandom(28);
    int decided = 0;
    int n = 400_000;
    for (int i = 0; i < n; i++) {
      int digits = 1 + r.nextInt(19);
      long w = 0;
      for (int d = 0; d < digits; d++) {
        w = 10 * w + r.nextInt(10);
      }
      int q = i % 4 == 0 ? r.nextInt(DecimalDouble.MIN_Q - 10, DecimalDouble.MAX_Q + 10)
          : r.nextInt(-40, 25);
      decided += same(r.nextBoolean(), w, q) ? 1 : 0;
    }
    assertTrue(decided > n * 8 / 10, decided + " of " + n + " decided");
  }

  @Test
  void everyDoublePrintedTheUsualWaysComesBack() {
    SplittableRandom r = new SplittableRandom(4);
    int decided = 0;
    int n = 0;
    for (int i = 0; i < 200_000; i++) {
      double v = i % 2 == 0 ? Double.longBitsToDouble(r.nextLong())
          : r.nextGaussian() * Math.pow(10, r.nextInt(-30, 30));
      if (!Double.isFinite(v)) {
        continue;
      }
      for (String s : new String[] {String.format(Locale.ROOT, "%.16e", v), Double.toString(v),
          String.format(Locale.ROOT, "%.17g", v)}) {
        // The decimal as digits and a power of ten, leading zeros dropped.
        String t = s.toLowerCase(Locale.ROOT);
        boolean negative = t.startsWith("-");
        t = negative ? t.substring(1) : t;
        int q = 0;
        int e = t.indexOf('e');
        if (e >= 0) {
          q = Integer.parseInt(t.substring(e + 1));
          t = t.substring(0, e);
        }
        int dot = t.indexOf('.');
        if (dot >= 0) {
          q -= t.length() - dot - 1;
          t = t.substring(0, dot) + t.substring(dot + 1);
        }
        t = t.replaceFirst("^0+(?=.)", "");
        if (t.length() <= 19) {
          n++;
          decided += same(negative, Long.parseUnsignedLong(t), q) ? 1 : 0;
          assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)),
              Double.doubleToRawLongBits(Double.parseDouble((negative ? "-" : "") + t + "e" + q)));
        }
      }
    }
    assertTrue(decided > n * 9 / 10, decided + " of " + n + " decided");
  }

  @Test
  void halfwayAndBoundaryCases() {
    // Ties between two doubles (to even), one unit off either side, exact powers of two and
    // ten, the edges of the normal range and of Clinger's fast path.
    BigInteger five = BigInteger.valueOf(5);
    for (int e2 = -60; e2 <= 60; e2++) {
      for (long m : new long[] {1L << 52, (1L << 53) - 1, 6_004_799_503_160_661L}) {
        // m + 1/2 ulp at 2^e2: (2m + 1) · 2^(e2 - 1), written in decimal exactly.
        BigInteger twice = BigInteger.valueOf(2 * m + 1);
        int p = e2 - 1;
        BigInteger digits = p >= 0 ? twice.shiftLeft(p) : twice.multiply(five.pow(-p));
        int q = p >= 0 ? 0 : p;
        if (digits.bitLength() <= 63 && digits.toString().length() <= 19) {
          long w = digits.longValue();
          same(false, w, q);
          same(true, w - 1, q);
          same(false, w + 1, q);
        }
      }
    }
    long[] ws = {1, 9, 10, 123, 9_007_199_254_740_991L, 9_007_199_254_740_992L,
        9_007_199_254_740_993L, Long.MAX_VALUE, 1_000_000_000_000_000_000L,
        Long.parseUnsignedLong("9999999999999999999")};
    for (long w : ws) {
      for (int q = -330; q <= 310; q++) {
        same(false, w, q);
        same(true, w, q);
      }
    }
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(
        DecimalDouble.of(true, 0, 5)));
    assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(
        DecimalDouble.of(false, 0, -400)));
    assertTrue(Double.isNaN(DecimalDouble.of(false, 1, 400)), "overflow is not decided here");
    assertTrue(Double.isNaN(DecimalDouble.of(false, 1, -330)), "subnormals are not decided here");
  }

  @Test
  void theUnsignedHighProductIsBigIntegers() {
    SplittableRandom r = new SplittableRandom(9);
    BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    for (int i = 0; i < 100_000; i++) {
      long x = r.nextLong();
      long y = i % 10 == 0 ? -1 : r.nextLong();
      BigInteger p = new BigInteger(Long.toUnsignedString(x))
          .multiply(new BigInteger(Long.toUnsignedString(y)));
      assertEquals(p.shiftRight(64).and(mask).longValue(),
          DecimalDouble.multiplyHighUnsigned(x, y));
    }
  }
}
