package dev.tapetrain.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps Akka's warnings about an address this process is still trying to join off the default
 * output (see {@code logback-launcher.xml}). While a worker has not reached its coordinator,
 * Akka warns about each unsuccessful join round ("Couldn't join seed nodes", "Joining of
 * seed-nodes … was unsuccessful") and about every failed connection to it ("Outbound control
 * stream to … failed", "Quarantine of … ignored"); the worker then says it all in one line of
 * its own (which address, for how long, what to check). A new-user round found those warnings
 * printed before that line, so the first thing a user read was Akka's internals.
 *
 * <p>Only warnings of {@code akka.cluster} and {@code akka.remote} loggers that name the address
 * are dropped, only while it is being joined ({@link QuietJoins#quietWhile}), and only at the default
 * level: with {@code -Dtapetrain.log.level=INFO} (or DEBUG) they are shown as before.
 */
public final class JoinWarnings extends TurboFilter {

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format,
      Object[] params, Throwable t) {
    if (level != Level.WARN || logger == null || QuietJoins.none() || verbose(logger)
        || !(logger.getName().startsWith("akka.cluster")
            || logger.getName().startsWith("akka.remote"))) {
      return FilterReply.NEUTRAL;
    }
    return QuietJoins.named(format, params) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }

  /** The level was raised ({@code tapetrain.log.level} INFO or DEBUG): show everything. */
  private static boolean verbose(Logger logger) {
    return logger.getEffectiveLevel().toInt() <= Level.INFO_INT;
  }
}
