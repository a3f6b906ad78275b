package dev.tapetrain.models;

import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tutorial's model, {@code linear}: {@code y = x·w + b} with squared error; {@code w} a
 * scalar for one feature, {@code [f]} else, and {@code b} a scalar; initial values from
 * {@code --init-w} and {@code --init-b} (the tutorial's 5 and 10).
 */
public final class LinearRegression implements ModelFactory {

  /** {@code --init-w}: the initial weight(s), one for every feature or one per feature. */
  public static final Setting INIT_W = Setting.numbers("init-w", List.of(5.0),
      Setting.Range.ANY, "linear: initial W; comma-separated for several features");
  /** {@code --init-b}: the initial bias. */
  public static final Setting INIT_B = Setting.number("init-b", 10, Setting.Range.ANY,
      "linear: initial B");

  /** The weight's name. */
  public static final String W = "w";
  /** The bias' name. */
  public static final String B = "b";

  @Override
  public String name() {
    return "linear";
  }

  /** The tutorial's {@code w} and {@code b}, at the top level of step lines and summaries. */
  @Override
  public List<String> flatParameters() {
    return List.of(W, B);
  }

  @Override
  public String description() {
    return "linear regression, squared error (the tutorial's model)";
  }

  @Override
  public List<Setting> settings() {
    return List.of(INIT_W, INIT_B);
  }

  @Override
  public Targets targets() {
    return Targets.REGRESSION;
  }

  @Override
  public Model create(ModelOptions options) {
    return new Linear(options);
  }

  /** The tutorial's model: {@code (x·w + b − y)²}. */
  private static final class Linear implements Model {
    private final List<Parameter> parameters;

    Linear(ModelOptions o) {
      List<Double> w0 = o.settings().numbers(INIT_W.name());
      if (w0.size() != 1 && w0.size() != o.features()) {
        throw new IllegalArgumentException("--init-w has " + w0.size() + " value(s) but the data "
            + "have " + o.features() + " feature(s)");
      }
      double[] w = new double[o.features()];
      for (int f = 0; f < w.length; f++) {
        w[f] = w0.size() == 1 ? w0.get(0) : w0.get(f);
      }
      parameters = List.of(
          new Parameter(W, o.features() == 1 ? new int[0] : new int[] {o.features()}, w, true),
          new Parameter(B, new int[0], new double[] {o.settings().number(INIT_B.name())}, false));
    }

    @Override
    public List<Parameter> parameters() {
      return parameters;
    }

    @Override
    public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
      return Losses.squaredErrorSum(predict(p, x), y);
    }

    @Override
    public Tensor predict(Map<String, Tensor> p, Tensor x) {
      return BuiltInModels.affine(x, p.get(W), p.get(B));
    }
  }

}
