package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FixedMath}'s and {@link Arithmetic}'s elementary functions are within 2 ulp of
 * {@link StrictMath} (the reference) on about 2.6 million arguments each (log and log1p are StrictMath's bit for bit: {@code FdlibmTest}): random bit patterns
 * over the whole double range, uniform and Gaussian ones where training's arguments live, dense
 * sweeps across every branch boundary and clamp (exp's ±708.3/709/overflow/underflow edges,
 * tanh's 0.625, 19.06 and 22), tiny and subnormal arguments, ±0, ±∞ and NaNs. Special values
 * must match exactly (−0 stays −0, ±∞ and NaN as StrictMath's). Prints the largest error seen.
 */
class FixedMathTest {

  private static final double MAX_ULPS = 2;

  @Test
  void expIsWithinTwoUlpOfStrictMath() {
    close("exp", FixedMath::exp, StrictMath::exp, 708.3, 709.0, 708.39641853226, 709.782712893384,
        745.1332191019411, 745.1332191019412, 744.44007192138126);
  }

  @Test
  void tanhIsWithinTwoUlpOfStrictMath() {
    close("tanh", FixedMath::tanh, StrictMath::tanh, 0.625, 19.061547465398498, 22, 0x1p-28,
        0x1p-55);
  }

  @Test
  void sigmoidIsWithinTwoUlpOfTheLogisticFunctionOfStrictMathsExp() {
    close("sigmoid", FixedMath::sigmoid, FixedMathTest::strictSigmoid, 36.7, 37.42994775023705,
        708.3, 709.0, 745.1332191019411, 0x1p-54);
  }

  @Test
  void signedZerosInfinitiesAndNanAreStrictMaths() {
    assertEquals(-0.0, FixedMath.tanh(-0.0));
    assertEquals(0.0, FixedMath.tanh(0.0));
    assertEquals(-Double.MIN_VALUE, FixedMath.tanh(-Double.MIN_VALUE));
    assertEquals(-1.0, FixedMath.tanh(Double.NEGATIVE_INFINITY));
    assertEquals(1.0, FixedMath.tanh(Double.POSITIVE_INFINITY));
    assertTrue(Double.isNaN(FixedMath.tanh(Double.NaN)));
    assertEquals(1.0, FixedMath.exp(-0.0));
    assertEquals(0.0, FixedMath.exp(Double.NEGATIVE_INFINITY));
    assertEquals(Double.POSITIVE_INFINITY, FixedMath.exp(Double.POSITIVE_INFINITY));
    assertEquals(Double.MIN_VALUE, FixedMath.exp(-745.1332191019411));
    assertTrue(Double.isNaN(FixedMath.exp(Double.NaN)));
    assertEquals(0.5, FixedMath.sigmoid(-0.0));
    assertEquals(0.0, FixedMath.sigmoid(Double.NEGATIVE_INFINITY));
    assertEquals(1.0, FixedMath.sigmoid(Double.POSITIVE_INFINITY));
    assertTrue(Double.isNaN(FixedMath.sigmoid(Double.NaN)));
  }

  /**
   * {@code 1/(1 + e^{−x})} from StrictMath's {@code exp}, with {@code 1 + e^{−x}} kept exact as
   * a sum of two doubles and the quotient corrected, so the reference adds little error of its
   * own to StrictMath's; {@code e^x} where {@code e^{−x}} overflows.
   */
  static double strictSigmoid(double x) {
    double e = StrictMath.exp(-x);
    if (Double.isInfinite(e) || Double.isNaN(e)) {
      return Double.isNaN(e) ? e : StrictMath.exp(x);
    }
    double d = 1.0 + e;
    double b = d - e;
    double lo = (e - (d - b)) + (1.0 - b);
    double q = 1.0 / d;
    return q - q * (q * lo);
  }

  /**
   * Ours against the reference on the arguments of {@link #arguments}, with dense sweeps of
   * 2048 neighbours (each sign) around each of {@code edges}.
   */
  private static void close(String name, DoubleUnaryOperator ours, DoubleUnaryOperator ref,
      double... edges) {
    double worst = 0;
    double worstAt = Double.NaN;
    long n = 0;
    for (double x : arguments(edges)) {
      double got = ours.applyAsDouble(x);
      double want = ref.applyAsDouble(x);
      double ulps = ulps(got, want);
      if (!(ulps <= MAX_ULPS)) {
        throw new AssertionError(name + "(" + x + " = 0x"
            + Long.toHexString(Double.doubleToRawLongBits(x)) + "): StrictMath " + want
            + ", ours " + got + ", " + ulps + " ulp");
      }
      if (ulps > worst) {
        worst = ulps;
        worstAt = x;
      }
      n++;
    }
    System.out.printf("%s: max %.0f ulp from StrictMath over %d arguments (at %s)%n", name, worst,
        n, worstAt);
  }

  /** Distance in units in the last place; exact agreement required for ±∞ and NaN. */
  static double ulps(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) && Double.isNaN(b) ? 0 : Double.POSITIVE_INFINITY;
    }
    if (Double.isInfinite(a) || Double.isInfinite(b)) {
      return a == b ? 0 : Double.POSITIVE_INFINITY;
    }
    if (a == 0 && b == 0 && Double.doubleToRawLongBits(a) != Double.doubleToRawLongBits(b)) {
      return Double.POSITIVE_INFINITY; // −0 for +0 is a wrong sign
    }
    return Math.abs((double) (ordered(a) - ordered(b)));
  }

  /** The doubles as consecutive integers (−0 and +0 next to each other). */
  private static long ordered(double x) {
    long bits = Double.doubleToRawLongBits(x);
    return bits < 0 ? -(bits & Long.MAX_VALUE) : bits;
  }

  static double[] arguments(double... edges) {
    SplittableRandom random = new SplittableRandom(27);
    int sweep = 2048;
    int perEdge = 4 * sweep;
    double[] specials = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
        -Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0x7ff0000000000001L),
        Double.longBitsToDouble(0xfff8000000000000L)};
    int random4 = 640_000;
    double[] xs = new double[specials.length + edges.length * perEdge + 4 * random4];
    int at = 0;
    for (double s : specials) {
      xs[at++] = s;
    }
    for (double e : edges) {
      double up = e;
      double down = e;
      for (int i = 0; i < sweep; i++) {
        xs[at++] = up;
        xs[at++] = -up;
        xs[at++] = down;
        xs[at++] = -down;
        up = Math.nextUp(up);
        down = Math.nextDown(down);
      }
    }
    for (int i = 0; i < random4; i++) {
      xs[at++] = Double.longBitsToDouble(random.nextLong()); // every exponent, NaNs included
      xs[at++] = (random.nextDouble() - 0.5) * 60; // where training's arguments live
      xs[at++] = random.nextDouble(-1, 1) * Math.scalb(1.0, random.nextInt(-1074, 10));
      // subnormals and tiny normals
      xs[at++] = Double.longBitsToDouble(random.nextLong(0x0010000000000000L) * 2)
          * (random.nextBoolean() ? 1 : -1);
    }
    return xs;
  }
}
