package com.example;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A user's model whose prediction uses an op ONNX has no counterpart for: a linear regression
 * clipped at 0 with a mask made by {@code Ops.constant} (a Java function of each element). It
 * trains and predicts; {@code export --onnx} refuses it by the op's name.
 */
public final class MaskedRegression implements ModelFactory {

  @Override
  public String name() {
    return "test-masked";
  }

  @Override
  public List<Setting> settings() {
    return List.of();
  }

  @Override
  public Model create(ModelOptions options) {
    int f = options.features();
    return new Model() {
      @Override
      public List<Parameter> parameters() {
        return List.of(new Parameter("w", new int[] {f}, new double[f], true),
            new Parameter("b", new int[0], new double[] {0.5}, false));
      }

      @Override
      public Tensor predict(Map<String, Tensor> p, Tensor x) {
        Tensor z = Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
        return Ops.mul(z, Ops.constant(z, v -> v > 0 ? 1 : 0));
      }

      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        return Ops.sum(Ops.squaredDifference(predict(p, x), y));
      }
    };
  }
}
