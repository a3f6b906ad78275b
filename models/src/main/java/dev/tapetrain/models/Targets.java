package dev.tapetrain.models;

import dev.tapetrain.spi.UserError;

/**
 * How a model reads its targets, and with that what {@code --classes} means for it: numbers
 * (a regression), labels 0 and 1, or labels 0 … K−1. The command line, the data's checks and
 * the synthetic data's labels all follow from it.
 */
public enum Targets {
  /** Numbers; {@code --classes} does not apply. */
  REGRESSION,
  /** Labels 0 and 1: two classes. */
  BINARY,
  /** Labels 0 … K−1: K from {@code --classes}, else 1 + the largest label of the data. */
  CLASSES,
  /** A regression, or K classes when {@code --classes K} is given. */
  REGRESSION_OR_CLASSES;

  /**
   * The most classes a run infers from its labels without {@code --classes}: a label above it
   * is far more likely a regression target or a typo than a class.
   */
  public static final int MAX_INFERRED_CLASSES = 100_000;

  /** Whether the targets are class labels, given {@code --classes} (null: not given). */
  public boolean labels(Integer given) {
    return this == BINARY || this == CLASSES || (this == REGRESSION_OR_CLASSES && given != null);
  }

  /**
   * Checks {@code --classes} (null: not given) for {@code model}.
   *
   * @throws UserError if it does not apply to the model or is out of range
   */
  public void check(String model, Integer given) {
    if (given == null) {
      return;
    }
    if (given < 2) {
      throw new UserError("--classes must be at least 2, got " + given);
    }
    if (this == REGRESSION) {
      throw new UserError("--classes does not apply to --model " + model + " (a regression)");
    }
    if (this == BINARY && given != 2) {
      throw new UserError("--model " + model + " has 2 classes, not " + given
          + " (use --model softmax)");
    }
  }

  /**
   * The number of classes of a run: {@code given}, else what the model and the data say (0 for a
   * regression); null while it depends on data not read yet.
   *
   * @param maxLabel the largest label of the data, or null if not known
   * @throws UserError if the data's labels cannot make a classifier
   */
  public Integer classes(String model, Integer given, Double maxLabel) {
    if (given != null) {
      return given;
    }
    switch (this) {
      case BINARY:
        return 2;
      case CLASSES:
        if (maxLabel == null) {
          return null;
        }
        if (maxLabel < 1) {
          throw new UserError("--model " + model + ": the labels of the data are all 0; a "
              + "classifier needs at least two classes");
        }
        if (maxLabel >= MAX_INFERRED_CLASSES) {
          throw new UserError("--model " + model + ": the largest label of the data is "
              + maxLabel + ", which would make " + String.format(java.util.Locale.ROOT, "%.0f",
              maxLabel + 1) + " classes; labels are 0 … K-1 (say K with --classes)");
        }
        return (int) (maxLabel + 1);
      default:
        return 0;
    }
  }
}
