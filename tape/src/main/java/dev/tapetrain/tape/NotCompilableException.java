package dev.tapetrain.tape;

/** A function {@link CompiledFunction#compile} cannot turn into one loop; the message says why. */
public final class NotCompilableException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * A refusal saying why; public for programs over the compiler that refuse what they know it
   * cannot take before they trace (a model's parameter shapes, say).
   */
  public NotCompilableException(String message) {
    super(message);
  }
}
