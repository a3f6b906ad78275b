package dev.tapetrain.models;

import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code softmax}: softmax cross-entropy from {@code x·w + b}, {@code w [f, K]} and {@code b [K]}
 * starting at zeros; labels 0 … K−1 with K from {@code --classes} or the data; reports accuracy.
 */
public final class SoftmaxRegression implements ModelFactory {

  @Override
  public String name() {
    return "softmax";
  }

  @Override
  public String description() {
    return "softmax regression, cross-entropy (labels 0 … K-1)";
  }

  @Override
  public List<Setting> settings() {
    return List.of();
  }

  @Override
  public Targets targets() {
    return Targets.CLASSES;
  }

  @Override
  public Model create(ModelOptions options) {
    return new Softmax(options);
  }

  /** Softmax regression: cross-entropy from {@code x·w + b} over K classes. */
  private static final class Softmax implements Model {
    private final int classes;
    private final List<Parameter> parameters;

    Softmax(ModelOptions o) {
      if (o.classes() < 2) {
        throw new IllegalArgumentException("--model softmax needs --classes K of at least 2");
      }
      classes = o.classes();
      Sizes.require("softmax", "w", "--classes " + classes, o.features(), classes);
      parameters = List.of(
          new Parameter("w", new int[] {o.features(), classes},
              new double[o.features() * classes], true),
          new Parameter("b", new int[] {classes}, new double[classes], false));
    }

    @Override
    public List<Parameter> parameters() {
      return parameters;
    }

    private static Tensor logits(Map<String, Tensor> p, Tensor x) {
      return MatrixOps.dense(x, p.get("w"), p.get("b"));
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      return Losses.softmaxCrossEntropySum(logits(p, x), y);
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      return MatrixOps.softmax(logits(p, x));
    }

    @Override
    public List<String> metrics() {
      return List.of("accuracy");
    }

    @Override
    public Tensor[] tracedMetricSums(Map<String, Tensor> p, Tensor x, Tensor y) {
      return new Tensor[] {Losses.countArgmaxCorrect(logits(p, x), y)};
    }

    @Override
    public int classes() {
      return classes;
    }
  }

}
