package dev.tapetrain.coordinator.optim;

import dev.tapetrain.protocol.proto.LearningRateScheduleProto;
import java.util.List;
import java.util.Objects;

/**
 * The learning rate of update {@code k = 0, 1, …} (Keras' {@code optimizer.iterations} before
 * the update), a pure function of {@code k} and the run's {@code --learning-rate}, so a resumed
 * run and any worker count use the same rates. Keras' formulas, in doubles
 * (docs/training-loop.md):
 * <pre>
 * constant     lr
 * step         values[i] for the first i with j ≤ boundaries[i], else the last value
 *              (PiecewiseConstantDecay)
 * exponential  lr · decayRate^(j / decaySteps)          (ExponentialDecay, not staircase)
 * cosine       lr · ((1 − α)·½(1 + cos(π·min(j, decaySteps)/decaySteps)) + α), α = minRate/lr
 *              (CosineDecay)
 * </pre>
 * with {@code j = k − warmupSteps}; for {@code k < warmupSteps} the rate is
 * {@code peak·(k / warmupSteps)}, linear from 0 to the schedule's first rate {@code peak}
 * (lr, or {@code values[0]}), as CosineDecay's warm-up. {@link StrictMath} makes the bits the
 * same on every machine.
 *
 * @param kind        {@code constant}, {@code step}, {@code exponential} or {@code cosine}
 * @param boundaries  step: update numbers where the rate changes, strictly increasing, ≥ 0
 * @param values      step: the rates, one more than {@code boundaries}
 * @param decayRate   exponential: the factor per {@code decaySteps} updates, > 0
 * @param decaySteps  exponential, cosine: ≥ 1; 0 for the others
 * @param minRate     cosine: the rate it ends at, in [0, lr)
 * @param warmupSteps updates of linear warm-up before the schedule starts, ≥ 0
 */
public record LearningRateSchedule(String kind, List<Long> boundaries, List<Double> values,
    double decayRate, long decaySteps, double minRate, long warmupSteps) {

  /** The kinds {@code --lr-schedule} takes. */
  public static final List<String> KINDS = List.of("constant", "step", "exponential", "cosine");

  /** The tutorial's: {@code --learning-rate} for every update. */
  public static final LearningRateSchedule CONSTANT =
      new LearningRateSchedule("constant", List.of(), List.of(), 0, 0, 0, 0);

  /** Validates what does not depend on the learning rate; messages name the option. */
  public LearningRateSchedule {
    Objects.requireNonNull(kind, "kind");
    boundaries = List.copyOf(boundaries);
    values = List.copyOf(values);
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("--lr-schedule must be one of "
          + String.join(", ", KINDS) + ", got " + kind);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("--warmup-steps must be 0 or more, got " + warmupSteps);
    }
    switch (kind) {
      case "step" -> {
        if (boundaries.isEmpty() || values.size() != boundaries.size() + 1) {
          throw new IllegalArgumentException("--lr-values must have one more value than "
              + "--lr-boundaries, got " + values.size() + " values and " + boundaries.size()
              + " boundaries");
        }
        for (int i = 0; i < boundaries.size(); i++) {
          if (boundaries.get(i) < 0 || (i > 0 && boundaries.get(i) <= boundaries.get(i - 1))) {
            throw new IllegalArgumentException("--lr-boundaries must be strictly increasing "
                + "update numbers >= 0, got " + boundaries);
          }
        }
        for (double v : values) {
          if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException("--lr-values must be finite numbers > 0, got "
                + values);
          }
        }
      }
      case "exponential" -> {
        if (!(decayRate > 0) || !Double.isFinite(decayRate)) {
          throw new IllegalArgumentException("--lr-decay-rate must be a finite number > 0, got "
              + decayRate);
        }
        requireDecaySteps(decaySteps);
      }
      case "cosine" -> {
        requireDecaySteps(decaySteps);
        if (!(minRate >= 0) || !Double.isFinite(minRate)) {
          throw new IllegalArgumentException("--lr-min must be a finite number >= 0, got "
              + minRate);
        }
      }
      default -> { }
    }
  }

  private static void requireDecaySteps(long decaySteps) {
    if (decaySteps < 1) {
      throw new IllegalArgumentException("--lr-decay-steps must be at least 1, got "
          + decaySteps);
    }
  }

  /**
   * Checks the schedule against the run's {@code --learning-rate}.
   *
   * @throws IllegalArgumentException naming the option if they do not fit
   */
  public void check(double learningRate) {
    if (kind.equals("cosine") && !(minRate < learningRate)) {
      throw new IllegalArgumentException("--lr-min must be below --learning-rate "
          + learningRate + ", got " + minRate);
    }
  }

  /** Whether every update's rate is {@code --learning-rate} (no schedule, no warm-up). */
  public boolean constant() {
    return kind.equals("constant") && warmupSteps == 0;
  }

  /** The rate of update {@code k} (from 0) of a run with {@code --learning-rate lr}. */
  public double rate(double lr, long k) {
    if (k < warmupSteps) {
      return peak(lr) * ((double) k / warmupSteps);
    }
    long j = k - warmupSteps;
    return switch (kind) {
      case "step" -> {
        for (int i = 0; i < boundaries.size(); i++) {
          if (j <= boundaries.get(i)) {
            yield values.get(i);
          }
        }
        yield values.get(values.size() - 1);
      }
      case "exponential" -> lr * StrictMath.pow(decayRate, (double) j / decaySteps);
      case "cosine" -> {
        double alpha = minRate / lr;
        double fraction = (double) Math.min(j, decaySteps) / decaySteps;
        double cosine = 0.5 * (1.0 + StrictMath.cos(Math.PI * fraction));
        yield lr * ((1 - alpha) * cosine + alpha);
      }
      default -> lr;
    };
  }

  /** The rate warm-up climbs to: the schedule's first. */
  private double peak(double lr) {
    return kind.equals("step") ? values.get(0) : lr;
  }

  /** The schedule as the run's numbers keep it. */
  public LearningRateScheduleProto toProto() {
    return LearningRateScheduleProto.newBuilder().setKind(kind).addAllBoundaries(boundaries)
        .addAllValues(values).setDecayRate(decayRate).setDecaySteps(decaySteps)
        .setMinRate(minRate).setWarmupSteps(warmupSteps).build();
  }

  /** The schedule {@link #toProto()} wrote. */
  public static LearningRateSchedule fromProto(LearningRateScheduleProto p) {
    return new LearningRateSchedule(p.getKind(), p.getBoundariesList(), p.getValuesList(),
        p.getDecayRate(), p.getDecaySteps(), p.getMinRate(), p.getWarmupSteps());
  }
}
