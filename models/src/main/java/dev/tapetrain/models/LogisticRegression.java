package dev.tapetrain.models;

import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code logistic}: binary cross-entropy from {@code z = x·w + b}, {@code w [f]} and {@code b}
 * starting at zeros; labels 0 and 1; reports accuracy.
 */
public final class LogisticRegression implements ModelFactory {

  @Override
  public String name() {
    return "logistic";
  }

  @Override
  public String description() {
    return "logistic regression, binary cross-entropy (labels 0 and 1)";
  }

  @Override
  public List<Setting> settings() {
    return List.of();
  }

  @Override
  public Targets targets() {
    return Targets.BINARY;
  }

  @Override
  public Model create(ModelOptions options) {
    return new Logistic(options);
  }

  /** Logistic regression: binary cross-entropy from {@code z = x·w + b}. */
  private static final class Logistic implements Model {
    private final List<Parameter> parameters;

    Logistic(ModelOptions o) {
      if (o.classes() != 0 && o.classes() != 2) {
        throw new IllegalArgumentException("--model logistic has 2 classes, not " + o.classes()
            + " (use --model softmax)");
      }
      parameters = List.of(
          new Parameter("w", new int[] {o.features()}, new double[o.features()], true),
          new Parameter("b", new int[0], new double[1], false));
    }

    @Override
    public List<Parameter> parameters() {
      return parameters;
    }

    private static Tensor logits(Map<String, Tensor> p, Tensor x) {
      return BuiltInModels.affine(x, p.get("w"), p.get("b"));
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      return Losses.binaryCrossEntropySum(logits(p, x), y);
    }

    /** The probability of class 1: {@code 1 / (1 + exp(−z))}. */
    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      Tensor one = Tensor.scalar(1.0);
      return Ops.div(one, Ops.add(one, Ops.exp(Ops.neg(logits(p, x)))));
    }

    @Override
    public List<String> metrics() {
      return List.of("accuracy");
    }

    @Override
    public Tensor[] tracedMetricSums(Map<String, Tensor> p, Tensor x, Tensor y) {
      return new Tensor[] {Losses.countBinaryCorrect(logits(p, x), y)};
    }

    @Override
    public int classes() {
      return 2;
    }
  }

}
