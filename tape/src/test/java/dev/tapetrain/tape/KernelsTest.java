package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every elementwise kind has a loop of its own in {@link Kernels}, and it gives the bits of its
 * {@link Arithmetic} method (called here by reflection, by the kind's name, as the compiled
 * loops call it) on every element, with each operand broadcast from a scalar or not.
 */
class KernelsTest {

  @Test
  void everyElementwiseKindsLoopIsItsArithmeticMethod() throws Exception {
    Random random = new Random(11);
    int n = 37;
    for (OpKind kind : OpKind.values()) {
      if (!kind.elementwise()) {
        continue;
      }
      int inputs = kind.arity();
      Method m = Arrays.stream(Arithmetic.class.getMethods())
          .filter(x -> x.getName().equals(kind.method())).findFirst().orElseThrow();
      double param = 1.7; // POW's exponent
      // Each operand a vector or a broadcast scalar; at least one a vector.
      for (int mask = 1; mask < 1 << inputs; mask++) {
        double[][] in = new double[inputs][];
        for (int k = 0; k < inputs; k++) {
          in[k] = new double[(mask >> k & 1) == 1 ? n : 1];
          for (int i = 0; i < in[k].length; i++) {
            in[k][i] = 0.25 + 3 * random.nextDouble() * (random.nextBoolean() ? 1 : -1);
          }
        }
        double[] out = new double[n];
        switch (inputs) {
          case 1 -> assertTrue(Kernels.unary(kind, param, in[0], out), "no loop for " + kind);
          case 2 -> Kernels.binary(kind, in[0], in[1], out); // throws without a loop
          default -> Kernels.ternary(kind, in[0], in[1], in[2], out);
        }
        for (int i = 0; i < n; i++) {
          Object[] args = new Object[m.getParameterCount()];
          for (int k = 0; k < inputs; k++) {
            args[k] = in[k][in[k].length == n ? i : 0];
          }
          if (kind == OpKind.POW) {
            args[1] = param;
          }
          double want = (double) m.invoke(null, args);
          assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(out[i]),
              kind + " element " + i + " of operands " + Integer.toBinaryString(mask));
        }
      }
    }
  }

  @Test
  void aOneInputOpWithoutAKindIsLeftToItsFunctionAndOtherKindsAreRefused() {
    double[] v = new double[3];
    assertFalse(Kernels.unary(OpKind.OTHER, 0, v, new double[3]));
    assertThrows(IllegalArgumentException.class,
        () -> Kernels.binary(OpKind.OTHER, v, v, new double[3]));
    assertThrows(IllegalArgumentException.class,
        () -> Kernels.ternary(OpKind.OTHER, v, v, v, new double[3]));
  }
}
