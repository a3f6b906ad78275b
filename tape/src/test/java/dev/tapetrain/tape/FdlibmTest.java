package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The Java ports of fdlibm's {@code log} and {@code log1p} give the running JDK's
 * {@link StrictMath} bits (the determinism contract's definition of those functions) for every
 * argument tried: each branch's boundaries and their neighbours, special values, subnormals,
 * random bit patterns over the whole range, and a dense sweep where training's arguments live.
 */
class FdlibmTest {

  @Test
  void logIsStrictMathsBitForBit() {
    same("log", Fdlibm::log, StrictMath::log);
  }

  @Test
  void log1pIsStrictMathsBitForBit() {
    same("log1p", Fdlibm::log1p, StrictMath::log1p);
  }

  private static void same(String name, DoubleUnaryOperator ours, DoubleUnaryOperator strict) {
    double[] args = arguments();
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
    assertEquals(args.length, checked);
  }

  /** About 1.2 million arguments. */
  private static double[] arguments() {
    List<Double> xs = new ArrayList<>();
    // Branch boundaries of log and log1p: 2^-54, 2^-29, 2^-20 around 1, √2/2, √2, 0.41422,
    // −0.2929, 2^53, −1, and the subnormal/normal edge.
    double[] edges = {0, Double.MIN_VALUE, Double.MIN_NORMAL, 0x1p-54, 0x1p-29, 0x1p-20, 0.25,
        0.5, 1 - 0x1p-20, 1, 1 + 0x1p-20, 2, Math.sqrt(0.5), Math.sqrt(2), 0.41422, 0.4142135623730950,
        0.2929, 0.29289321881345254, 1, 0x1p53, 0x1p54, 0x1.6a09ep0, 1e300, Double.MAX_VALUE,
        Double.POSITIVE_INFINITY};
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
    for (int i = 0; i < 300_000; i++) {
      xs.add(Double.longBitsToDouble(random.nextLong())); // every exponent
      xs.add((random.nextDouble() - 0.5) * 80); // where training's arguments live
      xs.add(random.nextDouble() * 4 - 1); // log1p's and log's busiest branches
      xs.add(random.nextGaussian() * Math.pow(2, random.nextInt(120) - 100)); // small ones
    }
    return xs.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
