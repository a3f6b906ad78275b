package dev.tapetrain.models;

import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built-in models (names and shapes are what tools and tests rely on):
 * <table>
 *   <caption>built-in models</caption>
 *   <tr><th>name</th><th>parameters</th><th>loss per sample</th></tr>
 *   <tr><td>linear</td><td>{@code w} (scalar for one feature, {@code [f]} else), {@code b}</td>
 *       <td>{@code (x·w + b − y)²}</td></tr>
 *   <tr><td>logistic</td><td>{@code w [f]}, {@code b}</td>
 *       <td>binary cross-entropy from {@code z = x·w + b}</td></tr>
 *   <tr><td>softmax</td><td>{@code w [f, K]}, {@code b [K]}</td>
 *       <td>softmax cross-entropy from {@code x·w + b}</td></tr>
 *   <tr><td>mlp</td><td>{@code w1 [f, H]}, {@code b1 [H]}, {@code w2 [H, out]}, {@code b2 [out]}
 *       </td><td>{@code h = tanh(x·w1 + b1)}, {@code z = h·w2 + b2}: squared error
 *       ({@code out = 1}) or, with classes, softmax cross-entropy ({@code out = K})</td></tr>
 * </table>
 * Initial values: linear from {@code --init-w}/{@code --init-b}; logistic and softmax zeros; the
 * MLP's weights Glorot-uniform from {@code --seed} (as {@code tf.keras} draws them, here from
 * SplitMix64 so every machine draws the same), biases zero.
 */
public final class BuiltInModels {

  private BuiltInModels() {}

  /** The factories of the built-in models, in the order {@code --help} lists them. */
  public static List<ModelFactory> factories() {
    return List.of(
        factory("linear", "linear regression, squared error (the tutorial's model)",
            Linear::new),
        factory("logistic", "logistic regression, binary cross-entropy (labels 0 and 1)",
            Logistic::new),
        factory("softmax", "softmax regression, cross-entropy (labels 0 … K-1)", Softmax::new),
        factory("mlp", "one tanh hidden layer (--hidden); regression, or classes with --classes",
            Mlp::new));
  }

  private static ModelFactory factory(String name, String description,
      java.util.function.Function<ModelOptions, Model> create) {
    return new ModelFactory() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public Model create(ModelOptions options) {
        return create.apply(options);
      }
    };
  }

  /** {@code x·w + b} for {@code x [n, f]}, {@code w [f]} (or a scalar for one feature). */
  static Tensor affine(Tensor x, Tensor w, Tensor b) {
    if (w.rank() == 0) {
      return Ops.mulAdd(MatrixOps.rowSum(x), w, b);
    }
    return Ops.add(Ops.matvec(x, w), b);
  }

  /** Glorot-uniform values for a {@code [in, out]} kernel: U(−√(6/(in+out)), +√(6/(in+out))). */
  static double[] glorotUniform(long seed, int stream, int in, int out) {
    double limit = Math.sqrt(6.0 / (in + out));
    double[] v = new double[in * out];
    long state = mix64(seed ^ mix64(stream * GOLDEN + GOLDEN));
    for (int i = 0; i < v.length; i++) {
      state += GOLDEN;
      double u = (mix64(state) >>> 11) * 0x1.0p-53; // [0, 1)
      v[i] = (2 * u - 1) * limit;
    }
    return v;
  }

  /** The 64-bit golden ratio, SplitMix64's increment. */
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014), as the synthetic data use it. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The tutorial's model: {@code (x·w + b − y)²}. */
  static final class Linear implements Model {
    private final List<Parameter> parameters;

    Linear(ModelOptions o) {
      if (o.classes() != 0) {
        throw new IllegalArgumentException("--classes does not apply to --model linear");
      }
      List<Double> w0 = o.initW();
      if (w0.size() != 1 && w0.size() != o.features()) {
        throw new IllegalArgumentException("--init-w has " + w0.size() + " value(s) but the data "
            + "have " + o.features() + " feature(s)");
      }
      double[] w = new double[o.features()];
      for (int f = 0; f < w.length; f++) {
        w[f] = w0.size() == 1 ? w0.get(0) : w0.get(f);
      }
      parameters = List.of(
          new Parameter("w", o.features() == 1 ? new int[0] : new int[] {o.features()}, w, true),
          new Parameter("b", new int[0], new double[] {o.initB()}, false));
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
      return affine(x, p.get("w"), p.get("b"));
    }
  }

  /** Logistic regression: binary cross-entropy from {@code z = x·w + b}. */
  static final class Logistic implements Model {
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
      return affine(x, p.get("w"), p.get("b"));
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
    public double[] metricSums(Map<String, Tensor> p, Tensor x, Tensor y) {
      return new double[] {Losses.correctBinary(logits(p, x), y)};
    }

    @Override
    public int classes() {
      return 2;
    }
  }

  /** Softmax regression: cross-entropy from {@code x·w + b} over K classes. */
  static final class Softmax implements Model {
    private final int classes;
    private final List<Parameter> parameters;

    Softmax(ModelOptions o) {
      if (o.classes() < 2) {
        throw new IllegalArgumentException("--model softmax needs --classes K of at least 2");
      }
      classes = o.classes();
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
    public double[] metricSums(Map<String, Tensor> p, Tensor x, Tensor y) {
      return new double[] {Losses.correctArgmax(logits(p, x), y)};
    }

    @Override
    public int classes() {
      return classes;
    }
  }

  /** One tanh hidden layer; squared error, or softmax cross-entropy with classes. */
  static final class Mlp implements Model {
    private final int classes;
    private final List<Parameter> parameters;

    Mlp(ModelOptions o) {
      classes = o.classes();
      int f = o.features();
      int h = o.hidden();
      int out = classes == 0 ? 1 : classes;
      List<Parameter> ps = new ArrayList<>();
      ps.add(new Parameter("w1", new int[] {f, h}, glorotUniform(o.seed(), 1, f, h), true));
      ps.add(new Parameter("b1", new int[] {h}, new double[h], false));
      ps.add(new Parameter("w2", new int[] {h, out}, glorotUniform(o.seed(), 2, h, out), true));
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
    public double[] metricSums(Map<String, Tensor> p, Tensor x, Tensor y) {
      return classes == 0 ? new double[0]
          : new double[] {Losses.correctArgmax(outputs(p, x), y)};
    }

    @Override
    public int classes() {
      return classes;
    }
  }
}
