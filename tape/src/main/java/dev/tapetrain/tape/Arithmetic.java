package dev.tapetrain.tape;

/**
 * The arithmetic of every elementwise op, written once. Each method is the value of one output
 * element from the input elements, with the operand order and the roundings the op promises.
 * The eager kernels ({@link Kernels}) apply these methods element by element, and the loops
 * the tape compiler generates ({@link LoopGenerator}) call them by name (the {@link OpKind}'s
 * name in lower camel case), so an eager op and a compiled loop compute the same bits by
 * construction. Public only because generated classes, loaded by a class loader of their own,
 * must be able to call them.
 */
public final class Arithmetic {

  private Arithmetic() {}

  /** {@code a + b}. */
  public static double add(double a, double b) {
    return a + b;
  }

  /** {@code a − b}. */
  public static double sub(double a, double b) {
    return a - b;
  }

  /** {@code a · b}. */
  public static double mul(double a, double b) {
    return a * b;
  }

  /** {@code a / b}. */
  public static double div(double a, double b) {
    return a / b;
  }

  /** {@code a · b + c}, rounded after the product and after the sum (not a fused multiply-add). */
  public static double mulAdd(double a, double b, double c) {
    return a * b + c;
  }

  /** {@code (a − b)²}: the difference rounded once, then squared. */
  public static double squaredDifference(double a, double b) {
    double d = a - b;
    return d * d;
  }

  /** {@code g · ((a − b) · 2)}: the gradient of a squared difference, in that order. */
  public static double twiceDifferenceTimes(double g, double a, double b) {
    return g * ((a - b) * 2.0);
  }

  /** {@code g · (1 − t²)}: tanh's gradient from its output {@code t}, in that order. */
  public static double tanhBackward(double g, double t) {
    return g * (1.0 - t * t);
  }

  /**
   * {@code 0 + a}: a sum of one element, as a row sum adds it to 0 (so −0.0 becomes +0.0, and
   * every other value stays as it is). The row sums of a one-column matrix.
   */
  public static double rowSumOfOne(double a) {
    return 0.0 + a;
  }

  /** {@code −a}. */
  public static double neg(double a) {
    return -a;
  }

  /** {@code a · a}. */
  public static double square(double a) {
    return a * a;
  }

  /** {@code √a}, correctly rounded. */
  public static double sqrt(double a) {
    return Math.sqrt(a);
  }

  /** {@code eᵃ}: {@link FixedMath#exp}, the same bits on every JVM and CPU. */
  public static double exp(double a) {
    return FixedMath.exp(a);
  }

  /** Natural logarithm: {@code StrictMath}'s bits, computed in Java ({@link Fdlibm#log}). */
  public static double log(double a) {
    return Fdlibm.log(a);
  }

  /** {@code log(1 + a)}: {@code StrictMath}'s bits, computed in Java ({@link Fdlibm#log1p}). */
  public static double log1p(double a) {
    return Fdlibm.log1p(a);
  }

  /** Hyperbolic tangent: {@link FixedMath#tanh}, the same bits on every JVM and CPU. */
  public static double tanh(double a) {
    return FixedMath.tanh(a);
  }

  /** The logistic function {@code 1/(1 + e⁻ᵃ)}: {@link FixedMath#sigmoid}. */
  public static double sigmoid(double a) {
    return FixedMath.sigmoid(a);
  }

  /**
   * The sign of {@code a}, bit for bit {@link Math#signum}: 1.0 or −1.0, and {@code a} itself for
   * ±0 and NaN. Without a branch on the sign (a choice of ints, which HotSpot makes a conditional
   * move, then masks): {@code Math.signum} branches, and on values of mixed signs — the errors
   * in the derivative of a Huber loss's {@code abs} — mispredicts every other element.
   */
  public static double sign(double a) {
    long bits = Double.doubleToRawLongBits(a);
    long keep = -(long) (a == 0.0 | a != a ? 1 : 0);
    long one = (bits & 0x8000_0000_0000_0000L) | 0x3ff0_0000_0000_0000L;
    return Double.longBitsToDouble((bits & keep) | (one & ~keep));
  }

  /**
   * {@code max(a, 0)} as the ReLU defines it, bit for bit {@code a > 0 ? a : 0.0} (+0 for −0 and
   * NaN), without a branch: a choice of doubles is a branch that mispredicts on activations of
   * mixed signs.
   */
  public static double relu(double a) {
    return Double.longBitsToDouble(Double.doubleToRawLongBits(a) & -(long) (a > 0 ? 1 : 0));
  }

  /** {@code aᶜ} ({@code StrictMath}). */
  public static double pow(double a, double c) {
    return StrictMath.pow(a, c);
  }
}
