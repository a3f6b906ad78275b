package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tf.GradientTape rules: watching, persistence, unconnected sources, nesting, seeds. */
class GradientTapeTest {

  @Test
  void secondDerivativeOfCubeIsSixXThroughNestedTapes() {
    for (double xv : new double[] {-2.0, 0.5, 3.0}) {
      Tensor x = Tensor.scalar(xv);
      Tensor d1;
      Tensor d2;
      try (GradientTape outer = new GradientTape()) {
        outer.watch(x);
        try (GradientTape inner = new GradientTape()) {
          inner.watch(x);
          d1 = inner.gradient(Ops.pow(x, 3), x);
        }
        d2 = outer.gradient(d1, x);
      }
      assertEquals(3 * xv * xv, d1.item(), 1e-12);
      assertEquals(6 * xv, d2.item(), 1e-12);
    }
  }

  @Test
  void nonPersistentTapeRefusesSecondGradient() {
    Tensor x = Tensor.scalar(2.0);
    GradientTape tape = new GradientTape();
    tape.watch(x);
    Tensor y = Ops.square(x);
    tape.close();
    assertEquals(4.0, tape.gradient(y, x).item());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> tape.gradient(y, x));
    assertTrue(e.getMessage().contains("persistent"), e.getMessage());
  }

  @Test
  void persistentTapeAnswersManyGradients() {
    Tensor x = Tensor.scalar(3.0);
    try (GradientTape tape = new GradientTape(true)) {
      tape.watch(x);
      Tensor y = Ops.square(x);
      Tensor z = Ops.mul(y, y); // x^4
      assertEquals(6.0, tape.gradient(y, x).item());
      assertEquals(108.0, tape.gradient(z, x).item());
      assertEquals(6.0, tape.gradient(y, x).item());
    }
  }

  @Test
  void unconnectedSourceGivesNullOrZerosOnRequest() {
    Tensor x = Tensor.vector(1, 2, 3);
    Tensor other = Tensor.vector(4, 5);
    try (GradientTape tape = new GradientTape(true)) {
      tape.watch(x, other);
      Tensor y = Ops.sum(Ops.square(x));
      assertNull(tape.gradient(y, other));
      Tensor[] g = tape.gradient(y, List.of(x, other), null, UnconnectedGradients.ZERO);
      assertArrayEquals(new double[] {2, 4, 6}, g[0].toArray());
      assertArrayEquals(new double[] {0, 0}, g[1].toArray());
      assertArrayEquals(new int[] {2}, g[1].shape());
    }
  }

  @Test
  void unwatchedTensorIsNotDifferentiated() {
    Tensor x = Tensor.scalar(2.0);
    try (GradientTape tape = new GradientTape()) {
      assertNull(tape.gradient(Ops.square(x), x));
    }
  }

  @Test
  void trainableVariablesAreWatchedWhenReadAndGradientsOfSeveralReadsAdd() {
    Variable w = new Variable("w", Tensor.scalar(3.0));
    Tensor x = Tensor.vector(1, 2);
    try (GradientTape tape = new GradientTape()) {
      // y = sum(x*w) + w*w  → dy/dw = sum(x) + 2w = 3 + 6
      Tensor y = Ops.add(Ops.sum(Ops.mul(x, w)), Ops.mul(w, w));
      assertEquals(9.0, tape.gradient(y, w).item(), 0.0);
    }
  }

  @Test
  void variablesAreNotWatchedWhenTheTapeIsToldNotToUnlessWatchedExplicitly() {
    Variable w = new Variable("w", Tensor.scalar(3.0));
    Variable frozen = new Variable("frozen", Tensor.scalar(2.0), false);
    try (GradientTape tape = new GradientTape(true, false)) {
      Tensor y = Ops.mul(w, w);
      assertNull(tape.gradient(y, w));
      tape.watch(w);
      assertEquals(6.0, tape.gradient(Ops.mul(w, w), w).item());
    }
    try (GradientTape tape = new GradientTape()) {
      assertNull(tape.gradient(Ops.mul(frozen, frozen), frozen), "non-trainable needs watch()");
    }
  }

  @Test
  void stopRecordingHidesOpsFromTheTape() {
    Tensor x = Tensor.scalar(2.0);
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      Tensor constant;
      try (GradientTape.Paused paused = tape.stopRecording()) {
        constant = Ops.square(x); // treated as a constant: not recorded
      }
      Tensor y = Ops.mul(constant, x); // 4 * x
      assertEquals(4.0, tape.gradient(y, x).item(), 0.0);
    }
  }

  @Test
  void outputGradientSeedsTheSweep() {
    Tensor x = Tensor.vector(1, 2, 3);
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      Tensor y = Ops.mul(x, Tensor.scalar(3.0));
      Tensor[] g = tape.gradient(y, List.of(x), Tensor.vector(1, 10, 100),
          UnconnectedGradients.NONE);
      assertArrayEquals(new double[] {3, 30, 300}, g[0].toArray());
    }
  }

  @Test
  void broadcastScalarGetsTheSumOfItsGradients() {
    Tensor x = Tensor.vector(1, 2, 3, 4);
    Tensor b = Tensor.scalar(0.5);
    try (GradientTape tape = new GradientTape()) {
      tape.watch(b);
      Tensor g = tape.gradient(Ops.sum(Ops.square(Ops.add(x, b))), b);
      assertEquals(0, g.rank());
      assertEquals(2 * (1.5 + 2.5 + 3.5 + 4.5), g.item(), 0.0);
    }
  }

  @Test
  void deepChainDoesNotOverflowTheStack() {
    Tensor x = Tensor.scalar(1.0);
    int depth = 200_000;
    try (GradientTape tape = new GradientTape()) {
      tape.watch(x);
      Tensor y = x;
      for (int i = 0; i < depth; i++) {
        y = Ops.add(y, x);
      }
      Tensor g = tape.gradient(y, x);
      assertNotNull(g);
      assertEquals(depth + 1, g.item(), 0.0);
    }
  }

  @Test
  void closedTapeStopsRecording() {
    Tensor x = Tensor.scalar(2.0);
    GradientTape tape = new GradientTape(true);
    tape.watch(x);
    Tensor y = Ops.square(x);
    tape.close();
    Tensor after = Ops.square(y); // not recorded
    assertEquals(4.0, tape.gradient(y, x).item());
    assertNull(tape.gradient(after, x));
  }

  @Test
  void summationOrderIsFixedFourLanes() {
    // The documented order: lanes (s0+s1)+(s2+s3), then the tail. 1e16 + 1 + 1 ... shows it.
    double[] a = {1e16, 1, -1e16, 1, 1};
    double expected = ((1e16 + 0.0) + (1 + 0.0)) + ((-1e16 + 0.0) + (1 + 0.0)) + 1;
    assertEquals(expected, Ops.sum(Tensor.vector(a)).item(), 0.0);
  }
}
