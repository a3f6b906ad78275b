package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.tape.NotCompilableException;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What compiles is the model's own program: a model built like the linear one but with another
 * loss compiles to another loop with other numbers, and what the loop cannot compute is refused
 * with a message naming it.
 */
class CompiledModelTest {

  private static final double[][] X = {{0.5, -1.0, 2.0, 3.5, -0.25, 1.0, 4.0}};
  private static final double[] Y = {2.0, -1.5, 8.0, 12.0, 1.0, 5.5, 14.5};
  private static final List<double[]> WB = List.of(new double[] {5.0}, new double[] {10.0});

  /** The linear model with half its squared error: the same parameters, another loss. */
  static class HalfSquaredError implements Model {
    private final Model linear = linear(1);

    @Override
    public List<Parameter> parameters() {
      return linear.parameters();
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      return Ops.mul(linear.lossSum(p, x, y), Tensor.scalar(0.5));
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      return linear.predict(p, x);
    }
  }

  @Test
  void aModelBuiltLikeTheLinearOneWithAnotherLossCompilesToAnotherLoop() throws Exception {
    Model linear = linear(1);
    CompiledModel a = CompiledModel.compile(linear, X, Y, WB, true);
    CompiledModel b = CompiledModel.compile(new HalfSquaredError(), X, Y, WB, true);
    assertNotEquals(a.function().source(), b.function().source());
    double[] sumsA = new double[3];
    double[] sumsB = new double[3];
    a.segmentSums(X, Y, 0, new int[] {Y.length}, WB, sumsA);
    b.segmentSums(X, Y, 0, new int[] {Y.length}, WB, sumsB);
    for (int k = 0; k < 3; k++) {
      assertEquals(sumsA[k] * 0.5, sumsB[k], "half of every sum (a power of two: exact)");
    }
  }

  @Test
  void theTraceDependsOnTheModelNotOnTheNumberOfSamples() throws Exception {
    Model linear = linear(1);
    double[][] longer = {new double[100]};
    double[] y = new double[100];
    java.util.Arrays.fill(longer[0], 1.5);
    String seven = CompiledModel.compile(linear, X, Y, WB, true).function().source();
    String hundred = CompiledModel.compile(linear, longer, y, WB, true).function().source();
    assertEquals(seven, hundred);
  }

  @Test
  void whatTheLoopCannotComputeIsRefusedByName() {
    // Matrices, dense layers, softmax, comparisons and several features compile
    // (CompiledMatrixModelTest); masks made by a Java function of each element do not.
    Model javaMask = new HalfSquaredError() {
      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        Tensor error = Ops.sub(predict(p, x), y);
        return Ops.sum(Ops.mul(error, Ops.constant(error, e -> e > 0 ? 1.0 : 0.0)));
      }
    };
    assertRefused("op constant", javaMask, 1);
    // abs, relu, Ops.sign and Comparisons masks compile (CompiledMaskOpsTest).
  }

  /** The built-in linear model on {@code features} features at the tutorial's W = 5, B = 10. */
  static Model linear(int features) {
    return Models.create("linear", features, 0, 42, Map.of());
  }

  private static void assertRefused(String reason, Model model, int features) {
    double[][] x = new double[features][];
    for (int f = 0; f < features; f++) {
      x[f] = X[0];
    }
    List<double[]> values = model.parameters().stream().map(Parameter::initial).toList();
    NotCompilableException e = assertThrows(NotCompilableException.class,
        () -> CompiledModel.compile(model, x, Y, values, true));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
