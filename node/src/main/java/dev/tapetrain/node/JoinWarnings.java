package dev.tapetrain.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BooleanSupplier;
import org.slf4j.Marker;

/**
 * Keeps Akka's warnings about an address this process is still trying to join off the default
 * output (see {@code logback.xml}). While a worker has not reached its coordinator, Akka warns
 * about each unsuccessful join round ("Couldn't join seed nodes", "Joining of seed-nodes …
 * was unsuccessful") and about every failed connection to it ("Outbound control stream to …
 * failed", "Quarantine of … ignored"); the worker then says it all in one line of its own (which
 * address, for how long, what to check). A new-user round found those warnings printed before
 * that line, so the first thing a user read was Akka's internals.
 *
 * <p>Only warnings of {@code akka.cluster} and {@code akka.remote} loggers that name the address
 * are dropped, only while it is being joined ({@link #quietWhile}), and only at the default
 * level: with {@code -Dtapetrain.log.level=INFO} (or DEBUG) they are shown as before.
 */
public final class JoinWarnings extends TurboFilter {

  private static final Set<Joining> JOINING = new CopyOnWriteArraySet<>();

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

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format,
      Object[] params, Throwable t) {
    if (level != Level.WARN || logger == null || JOINING.isEmpty() || verbose(logger)
        || !(logger.getName().startsWith("akka.cluster")
            || logger.getName().startsWith("akka.remote"))) {
      return FilterReply.NEUTRAL;
    }
    for (Joining j : JOINING) {
      if (j.stillJoining.getAsBoolean() && (names(format, j.address)
          || (params != null && params.length == 1 && names(String.valueOf(params[0]),
              j.address)))) {
        return FilterReply.DENY;
      }
    }
    return FilterReply.NEUTRAL;
  }

  /** The level was raised ({@code tapetrain.log.level} INFO or DEBUG): show everything. */
  private static boolean verbose(Logger logger) {
    return logger.getEffectiveLevel().toInt() <= Level.INFO_INT;
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
