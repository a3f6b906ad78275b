package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tapetrain.tape.Comparisons;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Models whose losses choose a branch per sample — {@code abs} (whose derivative is the sign),
 * {@code relu} (whose derivative is a mask), {@link Ops#sign} and {@link Comparisons} masks, as
 * in the README's Huber model — compile, with the eager tape's bits, also where the branch is
 * decided at exactly 0.
 */
class CompiledMaskOpsTest {

  /** A linear model's parameters ({@code w [f]}, {@code b}) with the loss {@code loss}. */
  private abstract static class Linear implements Model {
    private final int features;

    Linear(int features) {
      this.features = features;
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(new Parameter("w", new int[] {features}, new double[features], true),
          new Parameter("b", new int[0], new double[] {0}, false));
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      return Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      return loss(Ops.sub(predict(p, x), y));
    }

    abstract Tensor loss(Tensor error);
  }

  /** The README's Huber loss with {@code delta} 1: quadratic within 1 of the target, else linear. */
  static Model huber(int features) {
    return new Linear(features) {
      @Override
      Tensor loss(Tensor e) {
        Tensor small = Comparisons.greaterEqual(Tensor.scalar(1.0), Ops.abs(e));
        Tensor quadratic = Ops.mul(Ops.square(e), Tensor.scalar(0.5));
        Tensor linear = Ops.sub(Ops.abs(e), Tensor.scalar(0.5));
        return Ops.sum(Ops.add(Ops.mul(small, quadratic),
            Ops.mul(Ops.sub(Tensor.scalar(1), small), linear)));
      }
    };
  }

  /** The mean absolute error's sum: its gradient is the sign of each error. */
  static Model absolute(int features) {
    return new Linear(features) {
      @Override
      Tensor loss(Tensor e) {
        return Ops.sum(Ops.abs(e));
      }
    };
  }

  /** A hinge on the error, and the error scaled by its own sign, through relu and sign. */
  static Model hinge(int features) {
    return new Linear(features) {
      @Override
      Tensor loss(Tensor e) {
        Tensor hinge = Ops.square(Ops.relu(Ops.sub(e, Tensor.scalar(0.25))));
        return Ops.add(Ops.sum(hinge), Ops.sum(Ops.mul(e, Ops.sign(e))));
      }
    };
  }

  /** An MLP with a relu hidden layer, written as the built-in one (which uses tanh). */
  static Model reluMlp(int features, int hidden) {
    return new Model() {
      @Override
      public List<Parameter> parameters() {
        double[] w1 = new double[features * hidden];
        double[] w2 = new double[hidden];
        return List.of(new Parameter("w1", new int[] {features, hidden}, w1, true),
            new Parameter("b1", new int[] {hidden}, new double[hidden], false),
            new Parameter("w2", new int[] {hidden, 1}, w2, true),
            new Parameter("b2", new int[] {1}, new double[1], false));
      }

      @Override
      public Tensor predict(Map<String, Tensor> p, Tensor x) {
        Tensor h = Ops.relu(MatrixOps.dense(x, p.get("w1"), p.get("b1")));
        return MatrixOps.rowSum(MatrixOps.dense(h, p.get("w2"), p.get("b2")));
      }

      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        return Ops.sum(Ops.square(Ops.sub(predict(p, x), y)));
      }
    };
  }

  @Test
  void lossesThatBranchPerSampleCompileBitForBit() throws Exception {
    CompiledMatrixModelTest.assertBitIdentical(huber(1), 1, 21);
    CompiledMatrixModelTest.assertBitIdentical(huber(4), 4, 22);
    CompiledMatrixModelTest.assertBitIdentical(absolute(3), 3, 23);
    CompiledMatrixModelTest.assertBitIdentical(hinge(2), 2, 24);
    CompiledMatrixModelTest.assertBitIdentical(reluMlp(3, 5), 3, 25);
  }

  /**
   * Errors of exactly 0 (the target is the prediction) and of exactly ±1 (Huber's boundary),
   * and hidden units of exactly 0: where {@code abs}, {@code sign}, {@code relu} and the
   * comparison decide, the compiled loop decides as the eager ops do.
   */
  @Test
  void branchesDecidedAtExactlyZeroAndAtTheBoundaryGiveTheEagerBits() throws Exception {
    // w = 1, b = 0: the prediction is x itself, so y = x, x ± 1 give errors 0 and ∓1 exactly.
    double[] x = {0.5, -1.5, 2.0, 0.0, 3.0, -0.75, 1.25, -0.0, 4.0};
    double[] y = {0.5, -0.5, 3.0, 0.0, 3.0, 0.25, 0.25, 0.0, 4.5};
    List<double[]> wb = List.of(new double[] {1.0}, new double[] {0.0});
    for (Model model : List.of(huber(1), absolute(1), hinge(1))) {
      assertEagerBits(model, new double[][] {x}, y, wb);
    }
    // Hidden pre-activations x·w1 + b1 = 0 exactly for every sample in unit 0 (w1 = 0, b1 = 0).
    Model mlp = reluMlp(1, 3);
    List<double[]> values = List.of(new double[] {0.0, 1.0, -1.0}, new double[] {0.0, 0.5, 0.5},
        new double[] {1.0, 2.0, -3.0}, new double[] {0.25});
    assertEagerBits(mlp, new double[][] {x}, y, values);
  }

  /** The compiled sums of one range of all the samples against the eager tape's, bit for bit. */
  private static void assertEagerBits(Model model, double[][] x, double[] y,
      List<double[]> values) throws Exception {
    CompiledModel compiled = CompiledModel.compile(model, x, y, values, true);
    assertNotNull(compiled);
    double[] out = new double[compiled.width()];
    compiled.segmentSums(x, y, 0, new int[] {y.length}, values, out);
    int f = x.length;
    double[] rowMajor = new double[y.length * f];
    for (int i = 0; i < y.length; i++) {
      for (int j = 0; j < f; j++) {
        rowMajor[i * f + j] = x[j][i];
      }
    }
    ModelGradients.Sums eager = ModelGradients.of(model, values,
        Tensor.matrix(y.length, f, rowMajor), Tensor.vector(y.clone()));
    double[] row = new double[compiled.width()];
    row[0] = eager.lossSum();
    int at = 1;
    for (double[] g : eager.gradients()) {
      System.arraycopy(g, 0, row, at, g.length);
      at += g.length;
    }
    for (int k = 0; k < row.length; k++) {
      assertEquals(Double.doubleToRawLongBits(row[k]), Double.doubleToRawLongBits(out[k]),
          "value " + k + ": eager " + row[k] + ", compiled " + out[k] + " " + Arrays.toString(out));
    }
  }
}
