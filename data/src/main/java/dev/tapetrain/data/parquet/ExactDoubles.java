package dev.tapetrain.data.parquet;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Widening Parquet's integers and decimals to float64 only where that is exact: an integer with
 * more than 53 significant bits, or a decimal with no exact double (0.1), has none.
 */
final class ExactDoubles {

  private static final long TWO53 = 1L << 53;
  private static final double[] POW10 = new double[23];
  private static final long[] POW5 = new long[23];

  static {
    double p = 1;
    long q = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      POW5[i] = q;
      p *= 10;
      q *= 5;
    }
  }

  private ExactDoubles() {}

  /** Whether the integer (two's complement, or unsigned) has at most 53 significant bits. */
  static boolean exactInteger(long v, boolean unsigned) {
    long mag = unsigned || v >= 0 ? v : -v; // -Long.MIN_VALUE == Long.MIN_VALUE: 2^63 unsigned
    if (Long.compareUnsigned(mag, TWO53) <= 0) {
      return true;
    }
    return 64 - Long.numberOfLeadingZeros(mag) - Long.numberOfTrailingZeros(mag) <= 53;
  }

  /** An unsigned 64-bit integer as a double; exact since callers checked exactInteger first. */
  static double unsignedToDouble(long v) {
    if (v >= 0) {
      return v;
    }
    return ((v >>> 1) | (v & 1)) * 2.0;
  }

  /** {@code unscaled × 10^-scale} as a double, or null if it has no exact one. */
  static Double decimal(long unscaled, int scale) {
    if (scale == 0) {
      return exactInteger(unscaled, false) ? Double.valueOf(unscaled) : null;
    }
    if (scale > 0 && scale < POW10.length && unscaled > -TWO53 && unscaled < TWO53) {
      // both operands are exact doubles, so one IEEE division is the correctly rounded value;
      // it is exact iff 5^scale divides the unscaled value (the rest is a power of two)
      return unscaled % POW5[scale] != 0 ? null : Double.valueOf(unscaled / POW10[scale]);
    }
    return decimal(BigInteger.valueOf(unscaled), scale);
  }

  /** As {@link #decimal(long, int)} for an unscaled value of any size. */
  static Double decimal(BigInteger unscaled, int scale) {
    BigDecimal exact = new BigDecimal(unscaled, scale);
    double v = exact.doubleValue(); // correctly rounded
    if (Double.isInfinite(v) || new BigDecimal(v).compareTo(exact) != 0) {
      return null;
    }
    return v;
  }

  /** A big-endian two's complement integer of at most 8 bytes. */
  static long longFromBigEndian(byte[] bytes) {
    if (bytes.length == 0) {
      return 0;
    }
    long v = bytes[0]; // sign-extended
    for (int i = 1; i < bytes.length; i++) {
      v = (v << 8) | (bytes[i] & 0xff);
    }
    return v;
  }

  /**
   * The IEEE 754 half-precision number of the 16 bits {@code h} as a double, exactly: sign, a
   * 5-bit exponent (bias 15) and 10 bits of fraction; subnormals below 2^-14, ±∞ and NaN kept.
   */
  static double half(int h) {
    int exponent = (h >> 10) & 0x1f;
    int fraction = h & 0x3ff;
    double magnitude;
    if (exponent == 0x1f) {
      magnitude = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else if (exponent == 0) {
      magnitude = fraction * 0x1p-24; // subnormal (or zero): fraction · 2^-24, exact
    } else {
      magnitude = (1024 + fraction) * Math.scalb(1.0, exponent - 25); // exact: 11 bits
    }
    return (h & 0x8000) != 0 ? -magnitude : magnitude;
  }
}
