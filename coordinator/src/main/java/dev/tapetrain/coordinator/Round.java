package dev.tapetrain.coordinator;

import java.util.List;

/**
 * One round of a run, as its {@link RoundPlan} sets it: the workers evaluate the loss and
 * gradient sums of {@code chunks} at the current parameters; the coordinator reduces them, tells
 * what the loss stands for ({@code loss}) and, if the round {@code trains} and training goes on,
 * applies an update. A <em>step</em> is an update; a round that does not train evaluates only.
 *
 * @param number the round's number, carried by every message of the round (a late answer to an
 *               earlier round is recognised by it and dropped); counts on across a resume
 * @param chunks the chunks the round reads, ascending
 * @param split  which of the data's splits the chunks belong to
 * @param trains whether the round's gradients make an update
 * @param loss   what the round's loss is reported as
 */
public record Round(long number, List<Integer> chunks, Split split, boolean trains, Loss loss) {

  /** Copies the chunks. */
  public Round {
    chunks = List.copyOf(chunks);
  }

  /**
   * The samples a round reads. One split today; a validation split (issue 26) adds its value
   * and the chunks the workers hold of it.
   */
  public enum Split {
    /** The samples training learns from. */
    TRAINING
  }

  /** What the loss a round measures stands for, and so how it is reported. */
  public enum Loss {
    /** The loss at the initial parameters, before any update (console: "Initial loss"). */
    INITIAL,
    /** The loss at a resumed checkpoint's parameters, already logged before the resume. */
    RESUMED,
    /**
     * The loss after the last update, logged as that update's step (the tutorial's "Loss at
     * step i" is the loss after update i).
     */
    AFTER_LAST_STEP
  }
}
