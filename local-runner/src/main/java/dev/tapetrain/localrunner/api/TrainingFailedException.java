package dev.tapetrain.localrunner.api;

import java.nio.file.Path;

/**
 * A run that did not complete: diverged, failed (the model's own error, a model stuck past
 * {@code --step-timeout}, out of memory, a full disk) or interrupted. The run directory holds
 * its summary and, when a step was committed, a checkpoint to resume from. When the model's own
 * code threw in this JVM, {@link #getCause()} is that exception, with its stack frames.
 */
public final class TrainingFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String status;
  private final transient Path runDir;
  private final int exitCode;

  /**
   * @param status   the run's status, as summary.json says it ({@code failed}, {@code diverged},
   *                 {@code interrupted})
   * @param message  why, in one line
   * @param runDir   the run directory (null if none was made)
   * @param exitCode the exit code {@code local-runner} would have returned
   */
  public TrainingFailedException(String status, String message, Path runDir, int exitCode) {
    this(status, message, runDir, exitCode, null);
  }

  /**
   * As {@link #TrainingFailedException(String, String, Path, int)}, with the exception the
   * user's model threw as the cause (null if none is known: a remote worker's failure reaches
   * this JVM as words only).
   */
  public TrainingFailedException(String status, String message, Path runDir, int exitCode,
      Throwable cause) {
    super(status + ": " + message, cause);
    this.status = status;
    this.runDir = runDir;
    this.exitCode = exitCode;
  }

  /** The run's status: {@code failed}, {@code diverged} or {@code interrupted}. */
  public String status() {
    return status;
  }

  /** The run directory, or null if the run never made one. */
  public Path runDir() {
    return runDir;
  }

  /** The exit code {@code local-runner} gives the same ending (1, 3 or 130). */
  public int exitCode() {
    return exitCode;
  }
}
