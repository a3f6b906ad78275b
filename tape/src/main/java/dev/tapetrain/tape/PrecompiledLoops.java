package dev.tapetrain.tape;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The {@link PrecompiledLoop}s on the class path, by the SHA-256 of the source each is a copy
 * of. The tape knows no loop of its own: programs that use it (tapetrain's models) register
 * theirs as services. A miss (a user's function, or a generator that changed) falls back to
 * compiling the source; the results are the same bits either way.
 */
final class PrecompiledLoops {

  private PrecompiledLoops() {}

  /** Found once, when the first function is compiled (the class path does not change). */
  private static final class Found {
    static final Map<String, PrecompiledLoop> LOOPS = load();

    private static Map<String, PrecompiledLoop> load() {
      Map<String, PrecompiledLoop> loops = new HashMap<>();
      for (PrecompiledLoop loop : ServiceLoader.load(PrecompiledLoop.class)) {
        loops.putIfAbsent(loop.sourceSha256(), loop);
      }
      return Map.copyOf(loops);
    }
  }

  /** The precompiled loop of {@code source}, or null if there is none. */
  static CompiledFunction.Kernel find(String source) {
    return Found.LOOPS.get(sha256(source));
  }

  static String sha256(String source) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(source.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
