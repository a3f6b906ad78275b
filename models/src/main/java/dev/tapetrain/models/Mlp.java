package dev.tapetrain.models;

import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code mlp}: one tanh hidden layer, {@code h = tanh(x·w1 + b1)}, {@code z = h·w2 + b2}, with
 * squared error ({@code out = 1}) or, with {@code --classes K}, softmax cross-entropy
 * ({@code out = K}); weights Glorot-uniform from {@code --seed} (as {@code tf.keras} draws them,
 * here from SplitMix64 so every machine draws the same), biases zero.
 */
public final class Mlp implements ModelFactory {

  /** {@code --hidden}: the hidden units. */
  public static final Setting HIDDEN = Setting.integer("hidden", 16, Setting.Range.atLeast(1),
      "mlp: hidden units");

  @Override
  public String name() {
    return "mlp";
  }

  @Override
  public String description() {
    return "one tanh hidden layer (--hidden); regression, or classes with --classes";
  }

  @Override
  public List<Setting> settings() {
    return List.of(HIDDEN);
  }

  @Override
  public Targets targets() {
    return Targets.REGRESSION_OR_CLASSES;
  }

  @Override
  public Model create(ModelOptions options) {
    return new Network(options);
  }

  /** One tanh hidden layer; squared error, or softmax cross-entropy with classes. */
  private static final class Network implements Model {
    private final int classes;
    private final List<Parameter> parameters;

    Network(ModelOptions o) {
      classes = o.classes();
      int f = o.features();
      int h = o.settings().integer(HIDDEN.name());
      int out = classes == 0 ? 1 : classes;
      Sizes.require("mlp", "w1", "--hidden " + h, f, h);
      Sizes.require("mlp", "w2", "--hidden " + h + ", --classes " + classes, h, out);
      List<Parameter> ps = new ArrayList<>();
      ps.add(new Parameter("w1", new int[] {f, h}, BuiltInModels.glorotUniform(o.seed(), 1, f, h), true));
      ps.add(new Parameter("b1", new int[] {h}, new double[h], false));
      ps.add(new Parameter("w2", new int[] {h, out}, BuiltInModels.glorotUniform(o.seed(), 2, h, out), true));
      ps.add(new Parameter("b2", new int[] {out}, new double[out], false));
      parameters = List.copyOf(ps);
    }

    @Override
    public List<Parameter> parameters() {
      return parameters;
    }

    private static Tensor outputs(Map<String, Tensor> p, Tensor x) {
      Tensor hidden = Ops.tanh(MatrixOps.dense(x, p.get("w1"), p.get("b1")));
      return MatrixOps.dense(hidden, p.get("w2"), p.get("b2"));
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      Tensor z = outputs(p, x);
      return classes == 0 ? Losses.squaredErrorSum(MatrixOps.rowSum(z), y)
          : Losses.softmaxCrossEntropySum(z, y);
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      Tensor z = outputs(p, x);
      return classes == 0 ? MatrixOps.rowSum(z) : MatrixOps.softmax(z);
    }

    @Override
    public List<String> metrics() {
      return classes == 0 ? List.of() : List.of("accuracy");
    }

    @Override
    public Tensor[] tracedMetricSums(Map<String, Tensor> p, Tensor x, Tensor y) {
      return classes == 0 ? new Tensor[0]
          : new Tensor[] {Losses.countArgmaxCorrect(outputs(p, x), y)};
    }

    @Override
    public int classes() {
      return classes;
    }
  }
}
