package dev.tapetrain.tape;

/**
 * Where compiled loops outlive the JVM: bytes by key, kept by the program that uses the tape
 * (tapetrain keeps them in files of its cache directory). Installed with
 * {@link CompiledFunction#keepLoopsIn}; the tape then looks a loop up here before it compiles
 * it, and stores what it compiled. The tape gives only keys and bytes, the store knows where
 * they go.
 *
 * <p>Everything is best effort: a store never throws. A lookup that cannot be answered (no
 * entry, an unreadable or damaged one) is a miss; a write that fails is dropped. The tape checks
 * what it loads (its own format, then the loop against the eager tape, bit for bit) and
 * compiles again, and stores again, whatever it rejects.
 */
public interface LoopStore {

  /**
   * The bytes last stored under {@code key} intact, or null.
   *
   * @param key lower-case hex, 64 characters: safe as a file name
   */
  byte[] load(String key);

  /** Keeps {@code bytes} under {@code key}, replacing what was there. */
  void store(String key, byte[] bytes);

  /**
   * Says that the bytes {@link #load} gave for {@code key} were not a usable loop, and why (the
   * tape then compiles the source and {@link #store}s it again): for a log line. By default,
   * nothing.
   */
  default void rejected(String key, String why) {}
}
