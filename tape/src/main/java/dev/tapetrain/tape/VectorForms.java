package dev.tapetrain.tape;

/**
 * Forms of the ops that choose (comparisons, {@code sign}, ReLU) written with operations HotSpot's
 * C2 (JDK 17) vectorises — subtraction, multiplication, {@link Math#min}, {@link Math#max} — for
 * the first pass of {@link BlockedLoopSource}'s loops. Each gives its op's exact bits (1.0 or +0.0
 * for a comparison, {@link Arithmetic#sign}, {@link Arithmetic#relu}) for every argument where it
 * does not give NaN; where it gives NaN (a NaN argument, or for a comparison two equal infinities,
 * whose difference is NaN) the op's own value may differ, and the NaN spreads to every sum the
 * value reaches, so the loop then recomputes its range with the exact one-pass code. The exact
 * forms — a choice of ints, or bits of a double — are not vectorised by JDK 17's C2. Public only
 * because generated classes, loaded by a class loader of their own, call them.
 *
 * <p>Why they are exact: {@code a − b} is zero only for {@code a = b} and has the sign of
 * {@code a − b} otherwise (gradual underflow), and a nonzero difference is at least
 * {@code 2⁻¹⁰⁷⁴} in size, which {@code × 2⁵³⁷ × 2⁵³⁷} takes to 1 or more (or to an infinity);
 * {@code min}/{@code max} then clamp to exactly ±1 or 0, and keep a zero's sign as
 * {@code Math.signum} does ({@code Math.min(−0.0, 1.0)} is −0.0).
 */
public final class VectorForms {

  /** 2⁵³⁷: applied twice, it takes the least subnormal, 2⁻¹⁰⁷⁴, to 1. */
  private static final double SCALE = 0x1p537;

  private VectorForms() {}

  /** {@code a >= b ? 1.0 : 0.0}, or NaN (see the class comment). */
  public static double greaterEqual(double a, double b) {
    return Math.max(Math.min((a - b) * SCALE * SCALE + 1.0, 1.0), 0.0);
  }

  /** {@code a > b ? 1.0 : 0.0}, or NaN. */
  public static double greater(double a, double b) {
    return Math.max(Math.min((a - b) * SCALE * SCALE, 1.0), 0.0);
  }

  /** {@code a == b ? 1.0 : 0.0}, or NaN. */
  public static double equal(double a, double b) {
    return greaterEqual(a, b) * greaterEqual(b, a);
  }

  /** {@link Arithmetic#sign}, or NaN for NaN. */
  public static double sign(double a) {
    return Math.max(Math.min(a * SCALE * SCALE, 1.0), -1.0);
  }

  /** {@link Arithmetic#relu} ({@code Math.max(−0.0, 0.0)} is +0.0), or NaN for NaN. */
  public static double relu(double a) {
    return Math.max(a, 0.0);
  }
}
