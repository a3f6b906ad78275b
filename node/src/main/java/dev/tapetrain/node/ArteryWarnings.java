package dev.tapetrain.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * A logback filter (see {@code logback-launcher.xml}) that keeps Artery's warnings to one line
 * of each kind a minute, with the rest summed up ({@link LogSummary}). Artery warns once for every
 * inbound message it cannot decode, so well-formed frames of junk (which cross the
 * {@link FrameGuard}: only their framing is checked) made about 1 300 lines for 1 000 frames.
 * A kind is the logger and the start of the message, up to its first number or bracket.
 */
public final class ArteryWarnings extends TurboFilter {

  private static final String ARTERY = "akka.remote.artery";
  private static final int KIND_CHARS = 60;

  private volatile LogSummary summary;
  private Thread flushAtExit;

  @Override
  public synchronized void start() {
    org.slf4j.Logger out = LoggerFactory.getLogger("dev.tapetrain.artery");
    LogSummary s = new LogSummary("Artery warning(s)", LogSummary.INTERVAL, out::warn);
    // The counts of the last minute, also when the process ends within it.
    flushAtExit = new Thread(s::flush, "tapetrain-artery-summary");
    Runtime.getRuntime().addShutdownHook(flushAtExit);
    summary = s;
    super.start();
  }

  @Override
  public synchronized void stop() {
    LogSummary s = summary;
    summary = null;
    if (s != null) {
      s.close();
    }
    if (flushAtExit != null) {
      try {
        // A reconfigured logback starts a new filter: one hook per live filter, not per start.
        Runtime.getRuntime().removeShutdownHook(flushAtExit);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs anyway, and finds nothing left to sum up.
      }
      flushAtExit = null;
    }
    super.stop();
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format,
      Object[] params, Throwable t) {
    LogSummary s = summary;
    if (s == null || level != Level.WARN || format == null
        || !logger.getName().startsWith(ARTERY)) {
      return FilterReply.NEUTRAL;
    }
    return s.first(kind(logger.getName(), format)) ? FilterReply.NEUTRAL : FilterReply.DENY;
  }

  /** The logger and the message up to its first digit or bracket (where the details begin). */
  static String kind(String logger, String message) {
    int end = 0;
    while (end < message.length() && end < KIND_CHARS) {
      char c = message.charAt(end);
      if (Character.isDigit(c) || c == '[' || c == '(') {
        break;
      }
      end++;
    }
    return logger + ": " + message.substring(0, end).trim();
  }
}
