package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A round's name in the step log's numbers: step {@code i}'s line follows update {@code i}
 * (counted from 0), so a full-batch round that starts after 3 updates computes the loss of step
 * 2's line, and a mini-batch round after 3 updates computes the gradient of step 3.
 */
class RoundNamesTest {

  private static Round round(Round.Loss loss) {
    return new Round(7, List.of(0, 1), Round.Split.TRAINING, true, loss);
  }

  @Test
  void stepsAreNamedAsTheirLogLinesAreAndOtherRoundsSayWhatTheyCompute() {
    assertEquals("in step 2", RoundNames.during(round(Round.Loss.AFTER_LAST_STEP), 3));
    assertEquals("in step 3", RoundNames.during(round(Round.Loss.BATCH), 3));
    assertEquals("while computing the initial loss",
        RoundNames.during(round(Round.Loss.INITIAL), 0));
    assertEquals("while computing the validation loss after step 4",
        RoundNames.during(round(Round.Loss.VALIDATION), 5));
    assertEquals("while computing the validation loss before step 5",
        RoundNames.during(round(Round.Loss.CHECK), 5));
    assertEquals("while computing the final loss (after step 9)",
        RoundNames.during(round(Round.Loss.FINAL), 10));
  }
}
