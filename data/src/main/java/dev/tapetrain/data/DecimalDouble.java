package dev.tapetrain.data;

import java.math.BigInteger;

/**
 * A decimal {@code w × 10^q} (w of up to 19 digits, as an unsigned long) as exactly the double
 * {@link Double#parseDouble} gives for its text, or NaN when this class cannot tell and the
 * caller must ask fastdoubleparser. Clinger's fast path takes {@code w ≤ 2^53, |q| ≤ 22} (one
 * exact operation, correctly rounded); the rest goes through Eisel and Lemire's algorithm
 * (Lemire, "Number Parsing at a Gigabyte per Second", 2021, as Go's {@code strconv} writes it),
 * which gives the correctly rounded double or gives up on the rare inputs too close to a halfway
 * point, on subnormals, overflow and {@code q} outside the table. The CSV scan's numbers are
 * mostly 17 significant digits, past Clinger; fastdoubleparser does the same arithmetic behind a
 * general grammar, and parsing the digits where the line is cut leaves it only this part.
 *
 * <p>Its table, the 128 leading bits (truncated) of {@code 10^q}, is computed once with
 * {@link BigInteger}; {@code DecimalDoubleTest} holds the whole class to
 * {@link Double#parseDouble}.
 */
final class DecimalDouble {

  private DecimalDouble() {}

  /** The range of {@code q} the table holds. */
  static final int MIN_Q = -348;
  static final int MAX_Q = 347;

  private static final long[] HI = new long[MAX_Q - MIN_Q + 1];
  private static final long[] LO = new long[MAX_Q - MIN_Q + 1];
  private static final double[] EXACT = new double[23];

  static {
    BigInteger five = BigInteger.valueOf(5);
    BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    for (int q = MIN_Q; q <= MAX_Q; q++) {
      BigInteger m;
      if (q >= 0) {
        // 10^q = 5^q · 2^q: the leading bits of 5^q.
        BigInteger p = five.pow(q);
        int shift = p.bitLength() - 128;
        m = shift > 0 ? p.shiftRight(shift) : p.shiftLeft(-shift);
      } else {
        // 10^q = 2^q / 5^-q: 2^k / 5^-q rounded down, k chosen for exactly 128 bits.
        BigInteger p = five.pow(-q);
        m = BigInteger.ONE.shiftLeft(p.bitLength() + 127).divide(p);
      }
      HI[q - MIN_Q] = m.shiftRight(64).longValue();
      LO[q - MIN_Q] = m.and(mask).longValue();
    }
    double p = 1;
    for (int i = 0; i < EXACT.length; i++) {
      EXACT[i] = p;
      p *= 10;
    }
  }

  /**
   * {@code (negative ? -1 : 1) × w × 10^q}, correctly rounded, or NaN if not decided here.
   *
   * @param w the significand's digits, unsigned, below {@code 10^19}
   */
  static double of(boolean negative, long w, int q) {
    if (w == 0) {
      return negative ? -0.0 : 0.0;
    }
    if (q >= -22 && q <= 22 && w >= 0 && w <= 1L << 53) {
      double d = w;
      d = q < 0 ? d / EXACT[-q] : d * EXACT[q];
      return negative ? -d : d;
    }
    if (q < MIN_Q || q > MAX_Q) {
      return Double.NaN;
    }
    int clz = Long.numberOfLeadingZeros(w);
    long man = w << clz;
    long exp2 = ((217706L * q) >> 16) + 64 + 1023 - clz;
    int at = q - MIN_Q;
    long xHi = multiplyHighUnsigned(man, HI[at]);
    long xLo = man * HI[at];
    // The 64 bits may not settle the rounding: take the table's next 64 bits into account.
    if ((xHi & 0x1FF) == 0x1FF && Long.compareUnsigned(xLo + man, man) < 0) {
      long yHi = multiplyHighUnsigned(man, LO[at]);
      long yLo = man * LO[at];
      long mergedHi = xHi;
      long mergedLo = xLo + yHi;
      if (Long.compareUnsigned(mergedLo, xLo) < 0) {
        mergedHi++;
      }
      if ((mergedHi & 0x1FF) == 0x1FF && mergedLo + 1 == 0
          && Long.compareUnsigned(yLo + man, man) < 0) {
        return Double.NaN;
      }
      xHi = mergedHi;
      xLo = mergedLo;
    }
    long msb = xHi >>> 63;
    long mantissa = xHi >>> (msb + 9);
    exp2 -= 1 ^ msb;
    // Exactly halfway between two doubles as far as these bits tell: undecided.
    if (xLo == 0 && (xHi & 0x1FF) == 0 && (mantissa & 3) == 1) {
      return Double.NaN;
    }
    mantissa += mantissa & 1;
    mantissa >>>= 1;
    if (mantissa >>> 53 > 0) {
      mantissa >>>= 1;
      exp2++;
    }
    if (exp2 <= 0 || exp2 >= 0x7FF) {
      return Double.NaN; // subnormal, or past the largest double
    }
    long bits = exp2 << 52 | mantissa & 0x000F_FFFF_FFFF_FFFFL;
    return Double.longBitsToDouble(negative ? bits | Long.MIN_VALUE : bits);
  }

  /** The high 64 bits of the unsigned 128-bit product (Java 18's unsignedMultiplyHigh). */
  static long multiplyHighUnsigned(long x, long y) {
    return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
  }
}
