package dev.tapetrain.coordinator;

/**
 * What a round was doing, in the step numbers the step log and the console use (steps count
 * from 0; the line of step {@code i} follows its update): for a message about a round that
 * failed or held its worker, so that "failed after 11 step(s)" (steps 0–10 kept) goes with
 * "in step 11", not with the round's own number.
 */
final class RoundNames {

  private RoundNames() {}

  /**
   * {@code round} as the text after "failed" (e.g. {@code in step 11}, {@code while computing the
   * initial loss}), with {@code updates} the number of updates applied when it began.
   */
  static String during(Round round, long updates) {
    return switch (round.loss()) {
      case INITIAL -> "while computing the initial loss";
      case RESUMED -> "while computing the loss at the resumed step " + (updates - 1);
      // The loss after the last update, logged on that update's line.
      case AFTER_LAST_STEP -> "in step " + (updates - 1);
      // A mini-batch's gradient at the parameters before its own update, the next one.
      case BATCH -> "in step " + updates;
      case FINAL -> "while computing the final loss (after step " + (updates - 1) + ")";
      case VALIDATION -> "while computing the validation loss after step " + (updates - 1);
      case CHECK -> "while computing the validation loss before step " + updates;
    };
  }
}
