package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorForms} give their op's bits wherever they do not give NaN, and give NaN only for a
 * NaN argument or, for a comparison, an argument difference that is NaN (equal infinities).
 */
class VectorFormsTest {

  private static final double[] SPECIAL = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE,
      2 * Double.MIN_VALUE, Double.MIN_NORMAL, -Double.MIN_NORMAL, 1.0, -1.0, Math.nextUp(1.0),
      Math.nextDown(1.0), Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.NaN};

  @Test
  void eachFormIsItsOpOrNaNWhereTheOpCannotBeTold() {
    for (double a : SPECIAL) {
      for (double b : SPECIAL) {
        check(a, b);
      }
    }
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 1_000_000; i++) {
      double a = Double.longBitsToDouble(random.nextLong());
      // Near pairs too: differences down to the least subnormal.
      double b = i % 2 == 0 ? Double.longBitsToDouble(random.nextLong())
          : Double.longBitsToDouble(Double.doubleToRawLongBits(a) + random.nextInt(-3, 4));
      check(a, b);
    }
  }

  private static void check(double a, double b) {
    boolean diffNaN = Double.isNaN(a - b);
    same(a >= b ? 1.0 : 0.0, VectorForms.greaterEqual(a, b), diffNaN, a, b);
    same(a > b ? 1.0 : 0.0, VectorForms.greater(a, b), diffNaN, a, b);
    same(a == b ? 1.0 : 0.0, VectorForms.equal(a, b), diffNaN, a, b);
    same(Arithmetic.sign(a), VectorForms.sign(a), Double.isNaN(a), a, a);
    same(Arithmetic.relu(a), VectorForms.relu(a), Double.isNaN(a), a, a);
  }

  private static void same(double exact, double form, boolean mayBeNaN, double a, double b) {
    if (mayBeNaN && Double.isNaN(form)) {
      return;
    }
    assertEquals(Double.doubleToRawLongBits(exact), Double.doubleToRawLongBits(form),
        "at " + a + ", " + b + ": " + form + ", expected " + exact);
  }
}
