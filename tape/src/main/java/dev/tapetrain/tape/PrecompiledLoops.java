package dev.tapetrain.tape;

import java.util.Map;

/**
 * Loops the tape compiler would generate, compiled ahead of time with tapetrain: the generated
 * source is looked up here by its SHA-256 before Janino is asked to compile it. A hit costs no
 * compiler at run time (≈ 0.35 s for the first Janino compilation in a JVM), so a worker can
 * run its model's compiled loop from the first step. A miss (a user's model, or a generator that
 * changed) falls back to compiling the source; the results are the same bits either way, and
 * {@link CompiledFunction#compile} checks them against the eager tape before using any loop.
 */
final class PrecompiledLoops {

  private PrecompiledLoops() {}

  /** The precompiled loops by the SHA-256 of the source each is a copy of. */
  private static final Map<String, Class<? extends CompiledFunction.Kernel>> LOOPS = Map.of(
      LinearSquaredErrorLoop.SOURCE_SHA256, LinearSquaredErrorLoop.class);

  /** The precompiled loop of {@code source}, or null if there is none. */
  static CompiledFunction.Kernel find(String source) {
    Class<? extends CompiledFunction.Kernel> loop = LOOPS.get(sha256(source));
    try {
      return loop == null ? null : loop.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + loop, e);
    }
  }

  /** Whether {@code kernel} is one of these loops (not compiled at run time). */
  static boolean contains(CompiledFunction.Kernel kernel) {
    return LOOPS.containsValue(kernel.getClass());
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
