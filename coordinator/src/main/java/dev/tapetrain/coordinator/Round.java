package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.Batch;
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
 * @param batch  the mini-batch whose members of {@code chunks} the round reads; null: every
 *               sample of them
 * @param counts with a {@code batch}, the number of its members in each of {@code chunks}
 *               (each at least 1); without, empty
 */
public record Round(long number, List<Integer> chunks, Split split, boolean trains, Loss loss,
    Batch batch, List<Integer> counts) {

  /** Copies the lists; checks that a batch has a count per chunk. */
  public Round {
    chunks = List.copyOf(chunks);
    counts = List.copyOf(counts);
    if (batch == null ? !counts.isEmpty() : counts.size() != chunks.size()) {
      throw new IllegalArgumentException(counts.size() + " counts for " + chunks.size()
          + " chunks" + (batch == null ? " without a batch" : ""));
    }
  }

  /** A round over every sample of {@code chunks}. */
  public Round(long number, List<Integer> chunks, Split split, boolean trains, Loss loss) {
    this(number, chunks, split, trains, loss, null, List.of());
  }

  /**
   * The samples a round reads. One split today; a validation split (issue 26) adds its value
   * and the chunks the workers hold of it.
   */
  public enum Split {
    /** The samples training learns from. */
    TRAINING,
    /** The samples held out from training, evaluated after each epoch. */
    VALIDATION
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
    AFTER_LAST_STEP,
    /**
     * A mini-batch's loss at the parameters before its own update, logged as that update's
     * step once it is applied (Keras' and PyTorch's per-batch loss).
     */
    BATCH,
    /**
     * The loss over every training sample at the final parameters, after the last update of a
     * run of epochs: the summary's final loss, no step of its own.
     */
    FINAL,
    /**
     * The loss over the validation split at the parameters after an epoch: its epoch's line,
     * no step of its own.
     */
    VALIDATION,
    /**
     * The loss over the validation split at the parameters before a step ({@code
     * --validate-every}): logged on that step's line as {@code val_loss}, as its batch's loss.
     */
    CHECK
  }
}
