package dev.tapetrain.node;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BooleanSupplier;

/**
 * The addresses this process is still joining, whose Akka warnings {@link JoinWarnings} keeps
 * off the default output. Apart from the filter so that a worker registers them without loading
 * a Logback class (where another SLF4J binding logs, nothing reads them).
 */
public final class QuietJoins {

  private static final Set<Joining> JOINING = new CopyOnWriteArraySet<>();

  private QuietJoins() {}

  /** One address being joined; {@link #close} when the attempt is over. */
  public static final class Joining implements AutoCloseable {
    private final String address;
    private final BooleanSupplier stillJoining;

    private Joining(String address, BooleanSupplier stillJoining) {
      this.address = address;
      this.stillJoining = stillJoining;
    }

    @Override
    public void close() {
      JOINING.remove(this);
    }
  }

  /**
   * Akka's warnings about {@code address} (as Akka prints it, {@code akka://system@host:port})
   * are dropped at the default level while {@code stillJoining} says so and until the returned
   * registration is closed.
   */
  public static Joining quietWhile(String address, BooleanSupplier stillJoining) {
    Joining j = new Joining(address, stillJoining);
    JOINING.add(j);
    return j;
  }

  /** Whether no address is being joined (the filter's fast path). */
  static boolean none() {
    return JOINING.isEmpty();
  }

  /**
   * Whether a warning (its {@code format}, or its one parameter) names an address still being
   * joined.
   */
  static boolean named(String format, Object[] params) {
    for (Joining j : JOINING) {
      if (j.stillJoining.getAsBoolean() && (names(format, j.address)
          || (params != null && params.length == 1 && names(String.valueOf(params[0]),
              j.address)))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code message} names {@code address} (not merely a longer port that starts so). */
  static boolean names(String message, String address) {
    if (message == null) {
      return false;
    }
    for (int at = message.indexOf(address); at >= 0; at = message.indexOf(address, at + 1)) {
      int after = at + address.length();
      if (after == message.length() || !Character.isDigit(message.charAt(after))) {
        return true;
      }
    }
    return false;
  }
}
