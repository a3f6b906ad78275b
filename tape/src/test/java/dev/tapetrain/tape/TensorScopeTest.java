package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TensorScopeTest {

  @Test
  void aScopeRecyclesItsArraysAndComputesTheSameValues() {
    double[] data = new Random(1).doubles(1000, -1, 1).toArray();
    Tensor x = Tensor.vector(data);
    double[] first;
    java.util.Set<double[]> firstArrays = java.util.Collections.newSetFromMap(
        new java.util.IdentityHashMap<>());
    try (TensorScope scope = TensorScope.open()) {
      Tensor sum = Ops.add(x, Tensor.scalar(1));
      Tensor y = Ops.mul(sum, x);
      first = y.toArray();
      firstArrays.add(sum.data);
      firstArrays.add(y.data);
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor sum = Ops.add(x, Tensor.scalar(1));
      Tensor y = Ops.mul(sum, x);
      assertArrayEquals(first, y.toArray(), 0.0);
      assertTrue(firstArrays.contains(sum.data) && firstArrays.contains(y.data),
          "the second step reuses the first step's memory");
    }
    Tensor outside = Ops.mul(x, x);
    try (TensorScope scope = TensorScope.open()) {
      Ops.add(x, x);
    }
    for (int i = 0; i < data.length; i++) {
      assertEquals(data[i] * data[i], outside.get(i), 0.0, "tensors made outside stay valid");
    }
  }

  @Test
  void gradientsInsideAScopeMatchThoseOutside() {
    Tensor x = Tensor.vector(new Random(2).doubles(600, -2, 2).toArray());
    Variable w = new Variable("w", Tensor.scalar(1.5));
    Tensor expected;
    try (GradientTape tape = new GradientTape()) {
      expected = tape.gradient(Ops.sum(Ops.square(Ops.mul(x, w))), w);
    }
    for (int round = 0; round < 3; round++) {
      try (TensorScope scope = TensorScope.open();
          GradientTape tape = new GradientTape()) {
        Tensor g = tape.gradient(Ops.sum(Ops.square(Ops.mul(x, w))), w);
        assertEquals(expected.item(), g.item(), 0.0);
      }
    }
  }
}
