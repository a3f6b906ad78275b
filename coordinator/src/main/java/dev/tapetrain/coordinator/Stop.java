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

  /** A signal stopped the run. */
  public static Stop interrupted() {
    return new Stop(Status.INTERRUPTED, "interrupted by a signal");
  }
}
