package dev.tapetrain.worker.shard;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one warning a JVM gives when a model runs on the eager tape because the compiler does not
 * take one of its ops: a user's model then runs several times slower, worth a line at the
 * default level, but once (not once per worker actor, nor per round), and in the model's terms:
 * the op and what to write instead, not where in the traced program it sat.
 */
final class EagerNotice {

  /** Model class and reason already said in this JVM. */
  private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

  private EagerNotice() {}

  /**
   * The warning for {@code model} refused with {@code reason} (the compiler's words), the first
   * time this JVM meets that model and reason; else empty.
   */
  static Optional<String> once(Class<?> model, String reason) {
    String plain = plain(reason);
    if (!SAID.add(model.getName() + "\n" + plain)) {
      return Optional.empty();
    }
    return Optional.of("the model runs on the eager tape, op by op (several times slower than "
        + "the compiled loop, same numbers): " + plain);
  }

  /**
   * The compiler's reason without the traced values' places and shapes: "op constant of
   * row[32] is not compiled: …" reads "op constant is not compiled: …".
   */
  static String plain(String reason) {
    return reason.replaceFirst("^(op \\S+) of .*? (is not compiled)", "$1 $2");
  }
}
