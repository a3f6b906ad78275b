package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The Java ports of fdlibm's {@code tanh}, {@code expm1} and {@code exp} give the running JDK's
 * {@link StrictMath} bits (the determinism contract's definition of those functions) for every
 * argument tried: each branch's boundaries and their neighbours, special values, subnormals,
 * random bit patterns over the whole range, and a dense sweep where training's arguments live.
 */
class FdlibmTest {

  @Test
  void tanhIsStrictMathsBitForBit() {
    same("tanh", Fdlibm::tanh, StrictMath::tanh);
  }

  @Test
  void expm1IsStrictMathsBitForBit() {
    same("expm1", Fdlibm::expm1, StrictMath::expm1);
  }

  @Test
  void expIsStrictMathsBitForBit() {
    same("exp", Fdlibm::exp, StrictMath::exp);
  }

  private static void same(String name, DoubleUnaryOperator ours, DoubleUnaryOperator strict) {
    List<Double> args = arguments();
    int checked = 0;
    for (double x : args) {
      long want = Double.doubleToLongBits(strict.applyAsDouble(x)); // every NaN is one NaN
      long got = Double.doubleToLongBits(ours.applyAsDouble(x));
      if (want != got) {
        fail(name + "(" + x + " = 0x" + Long.toHexString(Double.doubleToRawLongBits(x))
            + "): StrictMath " + Double.longBitsToDouble(want) + ", ours "
            + Double.longBitsToDouble(got));
      }
      checked++;
    }
    assertEquals(args.size(), checked);
  }

  /** About three million arguments. */
  private static List<Double> arguments() {
    List<Double> xs = new ArrayList<>();
    double ln2 = 0.6931471805599453;
    double[] edges = {0, Double.MIN_VALUE, Double.MIN_NORMAL, 0x1p-55, 0x1p-54, 0x1p-28, 0.25,
        0.5 * ln2, 1.5 * ln2, 1, 2, 19 * ln2, 20 * ln2, 22, 56 * ln2, 57 * ln2, 700, 709.782712893384,
        709.7827128933840, 710, 745.2,
        745.1332191019411, 708.3964185322641, 1021 * ln2, 1022 * ln2, 0x1p-28, 1.0397207708399179, 1e300, Double.MAX_VALUE, Double.POSITIVE_INFINITY};
    for (double e : edges) {
      double up = e;
      double down = e;
      for (int i = 0; i < 64; i++) {
        xs.add(up);
        xs.add(-up);
        xs.add(down);
        xs.add(-down);
        up = Math.nextUp(up);
        down = Math.nextDown(down);
      }
    }
    xs.add(Double.NaN);
    xs.add(Double.longBitsToDouble(0x7ff0000000000001L)); // a signalling NaN pattern
    xs.add(Double.longBitsToDouble(0xfff8000000000000L)); // a negative NaN
    Random random = new Random(2026);
    for (int i = 0; i < 1_000_000; i++) {
      xs.add(Double.longBitsToDouble(random.nextLong())); // every exponent
      xs.add((random.nextDouble() - 0.5) * 80); // where training's arguments live
      xs.add(random.nextGaussian() * Math.pow(2, random.nextInt(120) - 100)); // small ones
    }
    return xs;
  }
}
