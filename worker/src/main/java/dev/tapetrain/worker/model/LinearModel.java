package dev.tapetrain.worker.model;

import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.tape.GradientTape;
import dev.tapetrain.worker.tape.Ops;
import dev.tapetrain.worker.tape.Tensor;
import dev.tapetrain.worker.tape.Variable;
import java.util.List;

/**
 * The tutorial's model {@code y = W·x + B} with trainable variables {@code w} and {@code b},
 * differentiated by the tape engine (not by derivatives written out by hand).
 *
 * <p>Parameters are named {@code "w"} and {@code "b"} on the wire; {@code w} is a scalar for one
 * feature.
 */
public final class LinearModel {

  /** Name of the weight parameter. */
  public static final String W = "w";
  /** Name of the bias parameter. */
  public static final String B = "b";

  private final Variable w = new Variable(W, Tensor.scalar(0.0));
  private final Variable b = new Variable(B, Tensor.scalar(0.0));

  /** The sums of one chunk: {@code lossSum = Σ (W·x_i + B − y_i)²} and its gradients. */
  public record Sums(double lossSum, Tensor gradW, Tensor gradB) {}

  /** Sets W and B from the coordinator's parameters. */
  public void setParameters(List<NamedTensor> params) {
    NamedTensor pw = NamedTensor.find(params, W);
    NamedTensor pb = NamedTensor.find(params, B);
    if (pw.size() != 1 || pb.size() != 1) {
      throw new IllegalArgumentException(
          "this model has one feature; got w with " + pw.size() + " values");
    }
    w.assign(Tensor.scalar(pw.values()[0]));
    b.assign(Tensor.scalar(pb.scalarValue()));
  }

  /** {@code x·W + B}. */
  public Tensor predict(Tensor x) {
    return Ops.add(Ops.mul(x, w), b);
  }

  /** Runs the tape over one chunk and returns its loss sum and gradient sums. */
  public Sums sums(Tensor x, Tensor y) {
    try (GradientTape tape = new GradientTape()) {
      Tensor lossSum = Ops.sum(Ops.square(Ops.sub(predict(x), y)));
      Tensor[] g = tape.gradient(lossSum, w, b);
      return new Sums(lossSum.item(), g[0], g[1]);
    }
  }
}
