package com.example;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A user's regression whose prediction is {@code [n, k]} ({@code --set outputs=k}): k linear
 * outputs {@code x · w[:, j]} trained on their row sum. Its columns start apart (w's column j is
 * j - 0.5), so a predict that wrote the flattened tensor's first n values as one column per row
 * would show.
 */
public final class WideRegression implements ModelFactory {

  static final Setting OUTPUTS = Setting.integer("outputs", 2, Setting.Range.between(1, 9),
      "values per row");

  @Override
  public String name() {
    return "test-wide";
  }

  @Override
  public List<Setting> settings() {
    return List.of(OUTPUTS);
  }

  @Override
  public Model create(ModelOptions options) {
    int f = options.features();
    int k = options.settings().integer(OUTPUTS.name());
    double[] init = new double[f * k];
    for (int i = 0; i < init.length; i++) {
      init[i] = i % k - 0.5;
    }
    return new Model() {
      @Override
      public List<Parameter> parameters() {
        return List.of(new Parameter("w", new int[] {f, k}, init, true));
      }

      @Override
      public Tensor predict(Map<String, Tensor> p, Tensor x) {
        return MatrixOps.matmul(x, p.get("w"));
      }

      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        return Ops.sum(Ops.square(Ops.sub(MatrixOps.rowSum(predict(p, x)), y)));
      }
    };
  }
}
