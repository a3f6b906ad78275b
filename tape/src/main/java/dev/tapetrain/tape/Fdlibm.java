package dev.tapetrain.tape;

/**
 * {@code log} and {@code log1p} in Java, bit for bit {@link StrictMath}'s: the algorithms of
 * fdlibm 5.3 ({@code e_log.c}, {@code s_log1p.c}), which {@code StrictMath} specifies, written
 * with {@code + − × ÷} and bit manipulation only. On JDK 17 these {@code StrictMath} methods are
 * native: every element of a tensor paid a JNI transition the JIT cannot inline. {@code
 * FdlibmTest} checks them against the running JDK's {@code StrictMath} on millions of arguments
 * and every special case. (Until numerics version 2 this class also held fdlibm's {@code exp}
 * and {@code tanh}; those are now {@link FixedMath}'s.)
 *
 * <p>fdlibm is Copyright (C) 1993 by Sun Microsystems, Inc.: "Permission to use, copy, modify,
 * and distribute this software is freely granted, provided that this notice is preserved."
 */
final class Fdlibm {

  private static final double LN2_HI = 6.93147180369123816490e-01; // 0x3fe62e42 fee00000
  private static final double LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
  private static final double TWO54 = 1.80143985094819840000e+16; // 0x43500000 00000000
  // log's and log1p's polynomial in s² (the same coefficients, Lg1..7 and Lp1..7).
  private static final double L1 = 6.666666666666735130e-01; // 3FE55555 55555593
  private static final double L2 = 3.999999999940941908e-01; // 3FD99999 9997FA04
  private static final double L3 = 2.857142874366239149e-01; // 3FD24924 94229359
  private static final double L4 = 2.222219843214978396e-01; // 3FCC71C5 1D8E78AF
  private static final double L5 = 1.818357216161805012e-01; // 3FC74664 96CB03DE
  private static final double L6 = 1.531383769920937332e-01; // 3FC39A09 D078C69F
  private static final double L7 = 1.479819860511658591e-01; // 3FC2F112 DF3E5244

  private Fdlibm() {}

  /**
   * Natural logarithm ({@code e_log.c}): {@code x = 2^k·(1+f)} with {@code √2/2 < 1+f < √2},
   * {@code log(1+f) = f − f²/2 + s·(f²/2 + R)}, {@code s = f/(2+f)}, R a polynomial in s².
   */
  static double log(double x) {
    int hx = high(x);
    int lx = low(x);
    int k = 0;
    if (hx < 0x00100000) { // x < 2^-1022
      if (((hx & 0x7fffffff) | lx) == 0) {
        return Double.NEGATIVE_INFINITY; // log(±0)
      }
      if (hx < 0) {
        return Double.NaN; // log(negative)
      }
      k -= 54;
      x *= TWO54; // subnormal: scale up
      hx = high(x);
    }
    if (hx >= 0x7ff00000) {
      return x + x;
    }
    k += (hx >> 20) - 1023;
    hx &= 0x000fffff;
    int i = (hx + 0x95f64) & 0x100000;
    x = withHigh(x, hx | (i ^ 0x3ff00000)); // normalize x or x/2
    k += i >> 20;
    double f = x - 1.0;
    if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2^-20
      if (f == 0.0) {
        if (k == 0) {
          return 0.0;
        }
        double dk = k;
        return dk * LN2_HI + dk * LN2_LO;
      }
      double r = f * f * (0.5 - 0.33333333333333333 * f);
      if (k == 0) {
        return f - r;
      }
      double dk = k;
      return dk * LN2_HI - ((r - dk * LN2_LO) - f);
    }
    double s = f / (2.0 + f);
    double dk = k;
    double z = s * s;
    i = hx - 0x6147a;
    double w = z * z;
    int j = 0x6b851 - hx;
    double t1 = w * (L2 + w * (L4 + w * L6));
    double t2 = z * (L1 + w * (L3 + w * (L5 + w * L7)));
    i |= j;
    double r = t2 + t1;
    if (i > 0) {
      double hfsq = 0.5 * f * f;
      if (k == 0) {
        return f - (hfsq - s * (hfsq + r));
      }
      return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    }
    if (k == 0) {
      return f - s * (f - r);
    }
    return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
  }

  /**
   * {@code log(1 + x)}, accurate near 0 ({@code s_log1p.c}): as {@link #log} of {@code u = 1+x},
   * with the rounding error of {@code 1+x} carried as a correction term {@code c/u}.
   */
  static double log1p(double x) {
    int hx = high(x);
    int ax = hx & 0x7fffffff;
    int k = 1;
    int hu = 0;
    double f = 0;
    if (hx < 0x3FDA827A) { // x < 0.41422
      if (ax >= 0x3ff00000) { // x <= -1.0
        return x == -1.0 ? Double.NEGATIVE_INFINITY : Double.NaN;
      }
      if (ax < 0x3e200000) { // |x| < 2^-29
        if (ax < 0x3c900000) { // |x| < 2^-54
          return x;
        }
        return x - x * x * 0.5;
      }
      if (hx > 0 || hx <= (int) 0xbfd2bec3) { // -0.2929 < x < 0.41422
        k = 0;
        f = x;
        hu = 1;
      }
    }
    if (hx >= 0x7ff00000) {
      return x + x;
    }
    double c = 0;
    if (k != 0) {
      double u;
      if (hx < 0x43400000) {
        u = 1.0 + x;
        hu = high(u);
        k = (hu >> 20) - 1023;
        c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0); // correction term
        c /= u;
      } else {
        u = x;
        hu = high(u);
        k = (hu >> 20) - 1023;
        c = 0;
      }
      hu &= 0x000fffff;
      if (hu < 0x6a09e) {
        u = withHigh(u, hu | 0x3ff00000); // normalize u
      } else {
        k += 1;
        u = withHigh(u, hu | 0x3fe00000); // normalize u/2
        hu = (0x00100000 - hu) >> 2;
      }
      f = u - 1.0;
    }
    double hfsq = 0.5 * f * f;
    if (hu == 0) { // |f| < 2^-20
      if (f == 0.0) {
        if (k == 0) {
          return 0.0;
        }
        c += k * LN2_LO;
        return k * LN2_HI + c;
      }
      double r = hfsq * (1.0 - 0.66666666666666666 * f);
      if (k == 0) {
        return f - r;
      }
      return k * LN2_HI - ((r - (k * LN2_LO + c)) - f);
    }
    double s = f / (2.0 + f);
    double z = s * s;
    double r = z * (L1 + z * (L2 + z * (L3 + z * (L4 + z * (L5 + z * (L6 + z * L7))))));
    if (k == 0) {
      return f - (hfsq - s * (hfsq + r));
    }
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f);
  }

  private static int high(double x) {
    return (int) (Double.doubleToRawLongBits(x) >>> 32);
  }

  private static int low(double x) {
    return (int) Double.doubleToRawLongBits(x);
  }

  /** {@code x} with its high 32 bits replaced (fdlibm's {@code __HI(x) = high}). */
  private static double withHigh(double x, int high) {
    return Double.longBitsToDouble(
        ((long) high << 32) | (Double.doubleToRawLongBits(x) & 0xffffffffL));
  }
}
