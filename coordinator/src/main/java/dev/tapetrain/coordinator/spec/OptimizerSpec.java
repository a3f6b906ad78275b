package dev.tapetrain.coordinator.spec;


import java.util.List;
import java.util.Objects;

/**
 * The update rule of a run and its settings (the learning rate is in {@link RunSpec}).
 *
 * @param name     {@code sgd}, {@code momentum} or {@code adam}
 * @param momentum momentum's decay, in [0, 1)
 * @param nesterov Nesterov momentum
 * @param beta1    Adam's first-moment decay, in [0, 1)
 * @param beta2    Adam's second-moment decay, in [0, 1)
 * @param epsilon  Adam's denominator guard, > 0
 */
public record OptimizerSpec(String name, double momentum, boolean nesterov, double beta1,
    double beta2, double epsilon) {

  /** The names {@code --optimizer} accepts. */
  public static final List<String> NAMES = List.of("sgd", "momentum", "adam");

  /** Validates the settings; messages name the command-line option. */
  public OptimizerSpec {
    Objects.requireNonNull(name, "name");
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "--optimizer: unknown optimizer '" + name + "'; choose one of " + NAMES);
    }
    unitInterval("--momentum", momentum);
    unitInterval("--beta1", beta1);
    unitInterval("--beta2", beta2);
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("--epsilon must be a finite number > 0, got " + epsilon);
    }
  }

  /** Plain gradient descent with the default settings of the others. */
  public static OptimizerSpec sgd() {
    return new OptimizerSpec(Defaults.OPTIMIZER, Defaults.number(Defaults.MOMENTUM), false,
        Defaults.number(Defaults.BETA1), Defaults.number(Defaults.BETA2),
        Defaults.number(Defaults.EPSILON));
  }

  /** The settings as they enter the run's numeric digest. */
  public dev.tapetrain.protocol.proto.OptimizerProto toProto() {
    return dev.tapetrain.protocol.proto.OptimizerProto.newBuilder().setName(name)
        .setMomentum(momentum).setNesterov(nesterov).setBeta1(beta1).setBeta2(beta2)
        .setEpsilon(epsilon).build();
  }

  /** The settings {@link #toProto()} wrote. */
  public static OptimizerSpec fromProto(dev.tapetrain.protocol.proto.OptimizerProto p) {
    return new OptimizerSpec(p.getName(), p.getMomentum(), p.getNesterov(), p.getBeta1(),
        p.getBeta2(), p.getEpsilon());
  }

  private static void unitInterval(String option, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(option + " must be in [0, 1), got " + v);
    }
  }
}
