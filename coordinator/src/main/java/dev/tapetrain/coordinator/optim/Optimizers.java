package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.Setting.Range;
import dev.tapetrain.spi.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The optimizers this JVM has: the built-ins, one factory each, and plug-ins. */
public final class Optimizers {

  private Optimizers() {}

  /** The default, the tutorial's plain gradient descent. */
  public static final String DEFAULT = "sgd";

  /** {@code --momentum}. */
  public static final Setting MOMENTUM = Setting.number("momentum", 0.9,
      Range.atLeast(0).below(1), "momentum: decay of the velocity, in [0, 1)");
  /** {@code --nesterov}. */
  public static final Setting NESTEROV = Setting.flag("nesterov", "momentum: use Nesterov "
      + "momentum");
  /** {@code --beta1}. */
  public static final Setting BETA1 = Setting.number("beta1", 0.9, Range.atLeast(0).below(1),
      "adam: first-moment decay");
  /** {@code --beta2}. */
  public static final Setting BETA2 = Setting.number("beta2", 0.999, Range.atLeast(0).below(1),
      "adam: second-moment decay");
  /** {@code --epsilon}. */
  public static final Setting EPSILON = Setting.number("epsilon", 1e-7, Range.above(0),
      "adam: denominator guard");

  /** The built-in optimizers, with tf.keras' update rules, in the order {@code --help} lists. */
  public static List<OptimizerFactory> builtIns() {
    return List.of(
        factory("sgd", "plain gradient descent, the tutorial's", List.of(),
            (lr, s) -> new Sgd(lr)),
        factory("momentum", "gradient descent with (Nesterov) momentum, as tf.keras' SGD",
            List.of(MOMENTUM, NESTEROV),
            (lr, s) -> new Momentum(lr, s.number(MOMENTUM.name()), s.flag(NESTEROV.name()))),
        factory("adam", "Adam, as tf.keras' Adam", List.of(BETA1, BETA2, EPSILON),
            (lr, s) -> new Adam(lr, s.number(BETA1.name()), s.number(BETA2.name()),
                s.number(EPSILON.name()))));
  }

  /**
   * Every optimizer this JVM has.
   *
   * @param options the command line's option names a plug-in's setting may not take
   */
  public static Plugins<OptimizerFactory> plugins(Set<String> options) {
    return new Plugins<>("optimizer", OptimizerFactory.class, builtIns(), options);
  }

  /**
   * The optimizer {@code name} with its settings given as canonical texts (as a run's numbers
   * record them), step size {@code learningRate}.
   *
   * @throws dev.tapetrain.spi.UserError if this JVM has no such optimizer or a setting does
   *     not fit
   */
  public static Optimizer create(String name, java.util.Map<String, String> settings,
      double learningRate) {
    Plugins<OptimizerFactory> all = plugins(Set.of());
    OptimizerFactory f = all.get(name, "--optimizer");
    String prefix = all.isBuiltIn(name) ? "--" : "--set ";
    return f.create(learningRate, Settings.of(f.settings(), settings, s -> prefix + s));
  }

  private static OptimizerFactory factory(String name, String description,
      List<Setting> settings, java.util.function.BiFunction<Double, Settings, Optimizer> make) {
    return new OptimizerFactory() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public List<Setting> settings() {
        return settings;
      }

      @Override
      public Optimizer create(double learningRate, Settings values) {
        return make.apply(learningRate, values);
      }
    };
  }

  /**
   * Whether {@code optimizer} takes a rate per update (overrides
   * {@link Optimizer#apply(List, List, double)}), as a learning-rate schedule needs.
   */
  public static boolean followsSchedules(Optimizer optimizer) {
    try {
      return optimizer.getClass().getMethod("apply", List.class, List.class, double.class)
          .getDeclaringClass() != Optimizer.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  static List<NamedTensor> zerosLike(List<NamedTensor> params, String prefix) {
    List<NamedTensor> out = new ArrayList<>(params.size());
    for (NamedTensor p : params) {
      out.add(new NamedTensor(prefix + p.name(), p.shape(), new double[p.size()]));
    }
    return out;
  }
}
