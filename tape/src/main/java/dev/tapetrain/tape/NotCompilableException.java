package dev.tapetrain.tape;

/** A function {@link CompiledFunction#compile} cannot turn into one loop; the message says why. */
public final class NotCompilableException extends Exception {

  private static final long serialVersionUID = 1L;

  NotCompilableException(String message) {
    super(message);
  }
}
