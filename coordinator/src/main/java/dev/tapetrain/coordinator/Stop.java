package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunSummary.Status;
import java.util.Objects;

/**
 * Why a run ends: its status and, for anything but a completed run, the reason in words (what
 * summary.json's {@code message} and the console's last line say).
 */
public record Stop(Status status, String detail) {

  /** Checks the fields. */
  public Stop {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  /** Every step done. */
  public static Stop completed() {
    return new Stop(Status.COMPLETED, "");
  }

  /** The run cannot go on: no worker left, a write failed, … */
  public static Stop failed(String detail) {
    return new Stop(Status.FAILED, detail);
  }

  /**
   * The model's own code failed {@code during} a round ({@link RoundNames#during}, e.g. "in step
   * 11"; every worker would): {@code error} says which method and how, e.g. {@code lossSum threw
   * java.lang.IllegalStateException: …}.
   */
  public static Stop modelFailed(String model, String during, String error) {
    return failed("model " + model + " failed " + during + ": " + error);
  }

  /**
   * The model's code held a worker past the step deadline {@code during} a round (as in
   * {@link #modelFailed}): it never returned (or not in time), and its thread cannot be stopped;
   * {@code then} says what becomes of it ("so the process exits", or, in a caller's JVM, "it
   * is abandoned").
   */
  public static Stop modelStuck(String model, String during, java.time.Duration deadline,
      String then) {
    return failed("model " + model + " did not return within the " + deadline.toMillis()
        + " ms step deadline " + during + " (--step-timeout); its thread cannot be stopped, "
        + then);
  }

  /** A signal stopped the run. */
  public static Stop interrupted() {
    return new Stop(Status.INTERRUPTED, "interrupted by a signal");
  }

  /**
   * The caller of an embedded run stopped it: the Java API's {@code fit()} does when the thread
   * running it is interrupted ({@code Future.cancel(true)}); there is no signal to name.
   */
  public static Stop interruptedThread() {
    return new Stop(Status.INTERRUPTED, "interrupted by a thread interrupt");
  }
}
