package dev.tapetrain.models;

import java.util.function.Supplier;

/**
 * A model's own code failed while it was evaluated: one of its methods threw (an exception, or a
 * {@link StackOverflowError} from its recursion) or returned {@code null} where a value was due.
 * Evaluation is deterministic, so every worker would fail the same way: this is the model's
 * error, which ends a run, never a reason to move its chunks to another worker. The message
 * names the method and what it did, the same on every machine ({@code lossSum threw
 * java.lang.IllegalStateException: …}); the cause keeps the stack trace.
 *
 * <p>Deliberately not an {@link IllegalArgumentException}: those mean data or parameters that
 * do not fit, which a worker refuses. An {@link OutOfMemoryError} is not wrapped either: it
 * depends on the heap, not on the model alone.
 */
public final class ModelFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, caused by {@code cause} (null if none). */
  public ModelFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The value of {@code call}, the model's method {@code method}.
   *
   * @throws ModelFailure if it throws (a {@link RuntimeException} or a
   *     {@link StackOverflowError}) or returns null
   */
  public static <T> T guard(String method, Supplier<T> call) {
    T value;
    try {
      value = call.get();
    } catch (ModelFailure e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new ModelFailure(method + " threw " + e, e);
    }
    if (value == null) {
      throw new ModelFailure(method + " returned null", null);
    }
    return value;
  }
}
