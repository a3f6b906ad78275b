package dev.tapetrain.tape;

/**
 * {@code tanh} and {@code expm1} in Java, bit for bit {@link StrictMath}'s: the algorithms of
 * fdlibm 5.3 ({@code s_tanh.c}, {@code s_expm1.c}), which {@code StrictMath} specifies. On JDK 17
 * these two {@code StrictMath} methods are native: every element of a tensor paid a JNI
 * transition the JIT cannot inline or vectorise around (a third of an MLP step, profiled). JDK 21
 * ported them to Java as well; either way {@code FdlibmTest} checks these against the running
 * JDK's {@code StrictMath} on millions of arguments and every special case.
 *
 * <p>fdlibm is Copyright (C) 1993 by Sun Microsystems, Inc.: "Permission to use, copy, modify,
 * and distribute this software is freely granted, provided that this notice is preserved."
 */
final class Fdlibm {

  private static final double TINY = 1.0e-300;
  private static final double HUGE = 1.0e+300;
  private static final double O_THRESHOLD = 7.09782712893383973096e+02; // 0x40862E42 FEFA39EF
  private static final double LN2_HI = 6.93147180369123816490e-01; // 0x3fe62e42 fee00000
  private static final double LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
  private static final double INV_LN2 = 1.44269504088896338700e+00; // 0x3ff71547 652b82fe
  // expm1's scaled coefficients.
  private static final double Q1 = -3.33333333333331316428e-02; // BFA11111 111110F4
  private static final double Q2 = 1.58730158725481460165e-03; // 3F5A01A0 19FE5585
  private static final double Q3 = -7.93650757867487942473e-05; // BF14CE19 9EAADBB7
  private static final double Q4 = 4.00821782732936239552e-06; // 3ED0CFCA 86E65239
  private static final double Q5 = -2.01099218183624371326e-07; // BE8AFDB7 6E09C32D

  // exp's bounds and polynomial (e_exp.c).
  private static final double U_THRESHOLD = -7.45133219101941108420e+02; // 0xc0874910 D52D3051
  private static final double TWO_M1000 = 9.33263618503218878990e-302; // 2^-1000
  private static final double P1 = 1.66666666666666019037e-01; // 0x3FC55555 5555553E
  private static final double P2 = -2.77777777770155933842e-03; // 0xBF66C16C 16BEBD93
  private static final double P3 = 6.61375632143793436117e-05; // 0x3F11566A AF25DE2C
  private static final double P4 = -1.65339022054652515390e-06; // 0xBEBBBD41 C5D26BF1
  private static final double P5 = 4.13813679705723846039e-08; // 0x3E663769 72BEA4D0

  private Fdlibm() {}

  /**
   * {@code e^x} (fdlibm's {@code e_exp.c}): {@code x = k·ln2 + r} with {@code |r| ≤ ln2/2}, a
   * rational approximation of {@code e^r}, then {@code 2^k} added to the exponent. On JDK 17
   * {@code StrictMath.exp} is a native call per element (a softmax's logits pass there).
   */
  static double exp(double x) {
    int hx = high(x);
    int xsb = hx >>> 31; // sign bit of x
    hx &= 0x7fffffff;
    if (hx >= 0x40862E42) { // |x| >= 709.78…
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | low(x)) != 0) {
          return x + x; // NaN
        }
        return xsb == 0 ? x : 0.0; // exp(+inf) = inf, exp(-inf) = 0
      }
      if (x > O_THRESHOLD) {
        return HUGE * HUGE; // overflow
      }
      if (x < U_THRESHOLD) {
        return TWO_M1000 * TWO_M1000; // underflow
      }
    }
    double hi = 0;
    double lo = 0;
    int k = 0;
    if (hx > 0x3fd62e42) { // |x| > 0.5 ln2
      if (hx < 0x3FF0A2B2) { // and |x| < 1.5 ln2
        hi = xsb == 0 ? x - LN2_HI : x + LN2_HI;
        lo = xsb == 0 ? LN2_LO : -LN2_LO;
        k = 1 - xsb - xsb;
      } else {
        k = (int) (INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5));
        double t = k;
        hi = x - t * LN2_HI; // t · ln2HI is exact here
        lo = t * LN2_LO;
      }
      x = hi - lo;
    } else if (hx < 0x3e300000) { // |x| < 2^-28
      if (HUGE + x > 1.0) {
        return 1.0 + x; // inexact
      }
    }
    double t = x * x;
    double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    if (k == 0) {
      return 1.0 - ((x * c) / (c - 2.0) - x);
    }
    double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
    if (k >= -1021) {
      return withHigh(y, high(y) + (k << 20));
    }
    return withHigh(y, high(y) + ((k + 1000) << 20)) * TWO_M1000;
  }

  /**
   * Hyperbolic tangent: {@code x(1+x)} below 2^-55, from {@code expm1(±2|x|)} below 22, ±1
   * beyond; NaN stays NaN.
   */
  static double tanh(double x) {
    int jx = high(x);
    int ix = jx & 0x7fffffff;
    if (ix >= 0x7ff00000) { // inf or NaN: tanh(±inf) = ±1, tanh(NaN) = NaN
      return jx >= 0 ? 1.0 / x + 1.0 : 1.0 / x - 1.0;
    }
    double z;
    if (ix < 0x40360000) { // |x| < 22
      if (ix < 0x3c800000) { // |x| < 2^-55
        return x * (1.0 + x);
      }
      if (ix >= 0x3ff00000) { // |x| >= 1
        double t = expm1(2.0 * Math.abs(x));
        z = 1.0 - 2.0 / (t + 2.0);
      } else {
        double t = expm1(-2.0 * Math.abs(x));
        z = -t / (t + 2.0);
      }
    } else {
      z = 1.0 - TINY; // 1, inexact
    }
    return jx >= 0 ? z : -z;
  }

  /**
   * {@code e^x − 1}, accurate near 0: {@code x = k·ln2 + r} with {@code |r| ≤ ln2/2}, a rational
   * approximation in {@code r}, then the scale by {@code 2^k} chosen so that the "−1" does not
   * cancel the significant digits.
   */
  static double expm1(double x) {
    int hx = high(x);
    int xsb = hx & 0x80000000; // sign bit of x
    hx &= 0x7fffffff; // high word of |x|

    // Huge and non-finite arguments.
    if (hx >= 0x4043687A) { // |x| >= 56 ln2
      if (hx >= 0x40862E42) { // |x| >= 709.78...
        if (hx >= 0x7ff00000) {
          if (((hx & 0xfffff) | low(x)) != 0) {
            return x + x; // NaN
          }
          return xsb == 0 ? x : -1.0; // exp(±inf) - 1 = {inf, -1}
        }
        if (x > O_THRESHOLD) {
          return HUGE * HUGE; // overflow
        }
      }
      if (xsb != 0 && x + TINY < 0.0) { // x < -56 ln2: -1, inexact
        return TINY - 1.0;
      }
    }

    // Argument reduction.
    int k;
    double c = 0;
    if (hx > 0x3fd62e42) { // |x| > ln2/2
      double hi;
      double lo;
      if (hx < 0x3FF0A2B2) { // and |x| < 1.5 ln2
        if (xsb == 0) {
          hi = x - LN2_HI;
          lo = LN2_LO;
          k = 1;
        } else {
          hi = x + LN2_HI;
          lo = -LN2_LO;
          k = -1;
        }
      } else {
        k = (int) (INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5));
        double t = k;
        hi = x - t * LN2_HI; // t * LN2_HI is exact here
        lo = t * LN2_LO;
      }
      x = hi - lo;
      c = (hi - x) - lo;
    } else if (hx < 0x3c900000) { // |x| < 2^-54: x, inexact unless 0
      double t = HUGE + x;
      return x - (t - (HUGE + x));
    } else {
      k = 0;
    }

    // x is now in the primary range.
    double hfx = 0.5 * x;
    double hxs = x * hfx;
    double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    double t = 3.0 - r1 * hfx;
    double e = hxs * ((r1 - t) / (6.0 - x * t));
    if (k == 0) {
      return x - (x * e - hxs); // c is 0
    }
    e = x * (e - c) - c;
    e -= hxs;
    if (k == -1) {
      return 0.5 * (x - e) - 0.5;
    }
    if (k == 1) {
      return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1.0 + 2.0 * (x - e);
    }
    if (k <= -2 || k > 56) { // enough to return exp(x) - 1
      double y = 1.0 - (e - x);
      y = withHigh(y, high(y) + (k << 20)); // add k to y's exponent
      return y - 1.0;
    }
    double y;
    if (k < 20) {
      t = withHigh(1.0, 0x3ff00000 - (0x200000 >> k)); // 1 - 2^-k
      y = t - (e - x);
    } else {
      t = withHigh(1.0, (0x3ff - k) << 20); // 2^-k
      y = x - (e + t);
      y += 1.0;
    }
    return withHigh(y, high(y) + (k << 20)); // add k to y's exponent
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
