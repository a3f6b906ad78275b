package dev.tapetrain.coordinator.cli;

import dev.tapetrain.coordinator.optim.LearningRateSchedule;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/**
 * The options of a learning-rate schedule (docs/training-loop.md), a picocli mixin of
 * {@link TrainOptions}: their values, what they refuse (each in one line) and the
 * {@link LearningRateSchedule} they make. {@code given} tells whether an option was on the
 * command line.
 */
final class ScheduleOptions {

  @Option(names = "--lr-schedule", paramLabel = "KIND",
      description = "The learning rate of each update, Keras' schedules: constant (default), "
          + "step, exponential or cosine. See docs/training-loop.md.")
  String kind;

  @Option(names = "--lr-boundaries", paramLabel = "K1,K2,…", split = ",",
      description = "With --lr-schedule step: the update numbers where the rate changes "
          + "(PiecewiseConstantDecay's boundaries).")
  List<Long> boundaries;

  @Option(names = "--lr-values", paramLabel = "LR0,LR1,…", split = ",",
      description = "With --lr-schedule step: the rates, one more than --lr-boundaries.")
  List<Double> values;

  @Option(names = "--lr-decay-rate", paramLabel = "R",
      description = "With --lr-schedule exponential: the factor per --lr-decay-steps updates "
          + "(ExponentialDecay, not staircase).")
  Double decayRate;

  @Option(names = "--lr-decay-steps", paramLabel = "S",
      description = "With --lr-schedule exponential or cosine: its decay steps.")
  Long decaySteps;

  @Option(names = "--lr-min", paramLabel = "LR",
      description = "With --lr-schedule cosine: the rate it ends at (default: 0; CosineDecay's "
          + "alpha is LR / --learning-rate).")
  Double minRate;

  @Option(names = "--warmup-steps", paramLabel = "W",
      description = "Raise the rate linearly from 0 over the first W updates, then follow "
          + "the schedule (default: 0).")
  Long warmupSteps;

  /** Which kind uses each option. */
  private static final Map<String, List<String>> USED_BY = Map.of(
      "--lr-boundaries", List.of("step"),
      "--lr-values", List.of("step"),
      "--lr-decay-rate", List.of("exponential"),
      "--lr-decay-steps", List.of("exponential", "cosine"),
      "--lr-min", List.of("cosine"));

  /**
   * The schedule asked for, after refusing options its kind does not take, missing ones and
   * {@code --learning-rate} beside {@code step} (whose rates are {@code --lr-values}).
   */
  LearningRateSchedule schedule(Predicate<String> given) {
    String k = kind == null ? "constant" : kind;
    if (!LearningRateSchedule.KINDS.contains(k)) {
      throw new UsageException("--lr-schedule must be one of "
          + String.join(", ", LearningRateSchedule.KINDS) + ", got " + k);
    }
    for (String o : List.of("--lr-boundaries", "--lr-values", "--lr-decay-rate",
        "--lr-decay-steps", "--lr-min")) {
      if (given.test(o) && !USED_BY.get(o).contains(k)) {
        throw new UsageException(o + " needs --lr-schedule " + String.join(" or ",
            USED_BY.get(o)));
      }
    }
    switch (k) {
      case "step" -> {
        require(boundaries, "--lr-boundaries", k);
        require(values, "--lr-values", k);
        if (given.test("--learning-rate")) {
          throw new UsageException("--learning-rate cannot be used with --lr-schedule step: "
              + "--lr-values gives its rates");
        }
      }
      case "exponential" -> {
        require(decayRate, "--lr-decay-rate", k);
        require(decaySteps, "--lr-decay-steps", k);
      }
      case "cosine" -> require(decaySteps, "--lr-decay-steps", k);
      default -> { }
    }
    return TrainOptions.wrap(() -> new LearningRateSchedule(k,
        boundaries == null ? List.of() : boundaries, values == null ? List.of() : values,
        decayRate == null ? 0 : decayRate, decaySteps == null ? 0 : decaySteps,
        minRate == null ? 0 : minRate, warmupSteps == null ? 0 : warmupSteps));
  }

  private static void require(Object value, String option, String kind) {
    if (value == null) {
      throw new UsageException("--lr-schedule " + kind + " needs " + option);
    }
  }
}
