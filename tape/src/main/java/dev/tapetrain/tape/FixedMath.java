package dev.tapetrain.tape;

/**
 * {@code exp}, {@code tanh} and the logistic function, fast and with the same bits on every JVM
 * and CPU: written with {@code + − × ÷}, comparisons and bit manipulation only (no {@code Math}
 * or {@code StrictMath} call, no fused multiply-add), so Java's strict IEEE arithmetic fixes
 * every rounding, also where C2 compiles or vectorises a loop around them. Within 2 ulp of
 * {@link StrictMath} over the whole double range ({@code FixedMathTest}); their bits are pinned
 * by {@code FixedMathGoldenTest}, which CI also runs on JDK 25. {@code log} and {@code log1p}
 * are in {@link Fdlibm}. A change of any bit here is a new {@link #NUMERICS_VERSION}.
 *
 * <ul>
 *   <li>{@code exp}: {@code x = (128·e + j)·ln2/128 + r}, {@code |r| ≤ ln2/256} (Cody–Waite's two
 *       constants, so the reduction is exact to far below an ulp), {@code e^r − 1} by its Taylor
 *       polynomial of degree 5 (truncation below 10⁻¹⁸), {@code 2^(j/128)} from a table of
 *       128 entries each kept as a double and its relative tail, then {@code 2^e} added to the
 *       exponent: {@code scale + scale·(tail + p)}, one rounding that matters (the design of
 *       ARM's optimized-routines and glibc's {@code exp}, without its FMA).
 *   <li>{@code tanh}: below 0.625 Cody and Waite's form {@code x + x³·P(x²)/Q(x²)} with Cephes'
 *       coefficients (Moshier, {@code tanh.c}); from 0.625 to 22 {@code 1 − 2/(e^{2|x|} + 1)}
 *       with the sign put back; beyond, ±1.
 *   <li>{@code sigmoid}: {@code 1/(1 + e^{−x})} for {@code x ≥ 0}, {@code e^x/(1 + e^x)} below
 *       (no overflow, full precision in the left tail).
 * </ul>
 */
public final class FixedMath {

  /**
   * The version of the elementary functions' bits a run's numbers were computed with: 1 is
   * StrictMath's (fdlibm) {@code exp} and {@code tanh}, used before this class; 2 is this class.
   */
  public static final int NUMERICS_VERSION = 2;

  private static final int TABLE_BITS = ExpTable.BITS;
  private static final int N = 1 << TABLE_BITS;
  /** {@code N/ln2}. */
  private static final double N_OVER_LN2 = 0x1.71547652b82fep7;
  /** {@code ln2/N} in two parts: the first has 31 significant bits, so {@code k·hi} is exact. */
  private static final double LN2_N_HI = 0x1.62e42fefa0000p-8;
  private static final double LN2_N_LO = 0x1.cf79abc9e3b3ap-47;
  /** {@code 1.5·2^52}: adding it rounds a double below 2^51 to an integer in the low bits. */
  private static final double SHIFT = 0x1.8p52;
  private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
  /** The largest x with a finite e^x, and the smallest with a nonzero one (StrictMath's). */
  private static final double OVERFLOW = 7.09782712893383973096e+02;
  private static final double UNDERFLOW = -7.45133219101941108420e+02;
  private static final double TWO_M1000 = 0x1p-1000;

  /** {@code 2^(j/N)} rounded, as raw bits, and its relative tail: {@link ExpTable}'s. */
  private static final long[] SCALE_BITS = ExpTable.SCALE_BITS;
  private static final double[] TAIL = ExpTable.TAIL;

  private FixedMath() {}

  /** {@code eˣ}: ±0 → 1, +∞ → +∞, −∞ → +0, NaN → NaN; subnormal results below −708.4. */
  public static double exp(double x) {
    if (x > -708.3 && x < 709.0) {
      return expScaled(x, 0);
    }
    // NaN, ±∞, overflow, and subnormal or zero results.
    if (x != x) {
      return x;
    }
    if (x > OVERFLOW) {
      return Double.POSITIVE_INFINITY;
    }
    if (x < UNDERFLOW) {
      return 0.0;
    }
    // Built with an exponent in range, then moved: ×2 above, ×2^-1000 below (a second rounding
    // there, into the subnormal grid: within 1 ulp, as StrictMath's).
    return x > 0 ? expScaled(x, -1) * 2.0 : expScaled(x, 1000) * TWO_M1000;
  }

  /**
   * {@code eˣ · 2^bias}, where that and its scale {@code 2^(k/N + bias)} are normal doubles:
   * {@code scale + scale·(tail + (e^r − 1))}.
   */
  private static double expScaled(double x, long bias) {
    double kd = x * N_OVER_LN2 + SHIFT;
    long k = Double.doubleToRawLongBits(kd) - SHIFT_BITS;
    kd -= SHIFT;
    double r = (x - kd * LN2_N_HI) - kd * LN2_N_LO; // exact but for kd·LN2_N_LO's rounding
    int j = (int) k & (N - 1);
    double scale = Double.longBitsToDouble(SCALE_BITS[j] + (((k >> TABLE_BITS) + bias) << 52));
    return scale + scale * (TAIL[j] + expm1Small(r));
  }

  /**
   * {@code 1/(1 + e^y)} for {@code −708.3 < y < 709}, within about 1 ulp: {@code e^y} is kept
   * as a sum of two doubles (the scale and the rounding error of adding its small part), so
   * {@code 1 + e^y} is exact to far below an ulp, and the quotient is corrected to first order.
   */
  private static double inverseOnePlusExp(double y) {
    double kd = y * N_OVER_LN2 + SHIFT;
    long k = Double.doubleToRawLongBits(kd) - SHIFT_BITS;
    kd -= SHIFT;
    double r = (y - kd * LN2_N_HI) - kd * LN2_N_LO;
    int j = (int) k & (N - 1);
    double scale = Double.longBitsToDouble(SCALE_BITS[j] + ((k >> TABLE_BITS) << 52));
    double small = scale * (TAIL[j] + expm1Small(r));
    double ehi = scale + small;
    double elo = small - (ehi - scale); // exact: |scale| ≥ |small|
    double dhi = ehi + 1.0;
    double b = dhi - ehi; // Knuth's two-sum: either term may be the larger
    double dlo = ((ehi - (dhi - b)) + (1.0 - b)) + elo;
    double q = 1.0 / dhi;
    return q - q * (q * dlo);
  }

  /** {@code e^r − 1} for {@code |r| ≤ ln2/256}, Taylor to degree 5. */
  private static double expm1Small(double r) {
    double r2 = r * r;
    return r + r2 * ((0.5 + r * 0x1.5555555555555p-3)
        + r2 * (0x1.5555555555555p-5 + r * 0x1.1111111111111p-7));
  }

  // Cephes tanh.c (Cody & Waite's form): tanh(x) = x + x·s·P(s)/Q(s), s = x², |x| < 0.625.
  private static final double P0 = -9.64399179425052238628e-1;
  private static final double P1 = -9.92877231001918586564e1;
  private static final double P2 = -1.61468768441708447952e3;
  private static final double Q0 = 1.12811678491632931402e2;
  private static final double Q1 = 2.23548839060100448583e3;
  private static final double Q2 = 4.84406305325125486048e3;
  private static final long SIGN = 0x8000000000000000L;

  /** Hyperbolic tangent: ±0 → ±0, ±∞ → ±1, NaN → NaN; exactly ±1 beyond |x| = 22. */
  public static double tanh(double x) {
    long bits = Double.doubleToRawLongBits(x);
    double a = Double.longBitsToDouble(bits & ~SIGN);
    double z;
    if (a < 0.625) {
      // On |x|, the sign put back after: an odd function exactly, and tanh(−0) = −0.
      double s = a * a;
      z = a + a * s * ((P0 * s + P1) * s + P2) / (((s + Q0) * s + Q1) * s + Q2);
    } else if (a <= 22.0) {
      z = 1.0 - 2.0 * inverseOnePlusExp(a + a);
    } else if (a > 22.0) {
      z = 1.0;
    } else {
      return x; // NaN
    }
    return Double.longBitsToDouble(Double.doubleToRawLongBits(z) | (bits & SIGN));
  }

  /**
   * The logistic function {@code 1/(1 + e^{−x})}: −0 → 0.5, +∞ → 1, −∞ → 0, NaN → NaN; never
   * overflows. Exactly 1 from x = 40 (where {@code e^{−x}} is below half an ulp of 1), and
   * {@code e^x} itself below −709 (where {@code 1 + e^x} is 1).
   */
  public static double sigmoid(double x) {
    if (x > -709.0 && x < 40.0) {
      return inverseOnePlusExp(-x);
    }
    if (x >= 40.0) {
      return 1.0;
    }
    return x <= -709.0 ? exp(x) : x; // else NaN
  }
}
