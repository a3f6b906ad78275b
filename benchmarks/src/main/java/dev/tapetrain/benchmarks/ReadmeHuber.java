package dev.tapetrain.benchmarks;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.Comparisons;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The README's user model (linear regression with the Huber loss), copied verbatim from
 * {@code local-runner/src/test/java/com/example/HuberRegression.java} but for this comment and
 * the package ({@code UserModelTest} checks the copy): {@link CompiledModelBenchmark}'s job
 * {@code h} times it against the built-in linear model (issue 27's goal: within 1.5×).
 */
public final class ReadmeHuber implements ModelFactory {

  /** Where the loss turns from quadratic to linear: {@code --set delta=0.5}. */
  static final Setting DELTA = Setting.number("delta", 1.0, Setting.Range.above(0),
      "huber: the error beyond which the loss grows linearly");

  @Override
  public String name() {
    return "huber";
  }

  @Override
  public List<Setting> settings() {
    return List.of(DELTA);
  }

  @Override
  public Model create(ModelOptions options) {
    int f = options.features();
    double delta = options.settings().number(DELTA.name());
    return new Model() {
      @Override
      public List<Parameter> parameters() {
        return List.of(new Parameter("w", new int[] {f}, new double[f], true),
            new Parameter("b", new int[0], new double[] {0}, false));
      }

      @Override
      public Tensor predict(Map<String, Tensor> p, Tensor x) {
        return Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
      }

      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        Tensor e = Ops.sub(predict(p, x), y);
        Tensor small = Comparisons.greaterEqual(Tensor.scalar(delta), Ops.abs(e)); // |e| <= delta
        Tensor quadratic = Ops.mul(Ops.square(e), Tensor.scalar(0.5));
        Tensor linear = Ops.mul(Ops.sub(Ops.abs(e), Tensor.scalar(0.5 * delta)),
            Tensor.scalar(delta));
        return Ops.sum(Ops.add(Ops.mul(small, quadratic),
            Ops.mul(Ops.sub(Tensor.scalar(1), small), linear)));
      }
    };
  }
}
