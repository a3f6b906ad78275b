package dev.tapetrain.node;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Keeps a repeated event to one log line: the first event of each kind in an interval is
 * logged by the caller, the others are counted, and at the end of the interval (and on
 * {@link #close}) one line sums them up by kind. So a flood of connections or warnings costs a
 * few lines a minute, however fast it comes, and no count is lost.
 *
 * <p>The interval ends by the clock: the first event after its end sums up the one before, and
 * a timer does so within a quarter of an interval when no event comes. An event after
 * {@link #close} is logged (true), since no summary would follow it.
 *
 * <p>Use: {@code if (summary.first(kind)) log.warn(…)} for each event; {@code close()} when done.
 */
public final class LogSummary implements AutoCloseable {

  /** A kind longer than this is cut short in the summary (it was logged whole once). */
  private static final int KIND_CHARS = 100;

  /** The interval of summaries when none is given. */
  public static final Duration INTERVAL = Duration.ofMinutes(1);

  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "tapetrain-log-summary");
        t.setDaemon(true);
        return t;
      });

  private final String counted;
  private final Duration interval;
  private final long intervalNanos;
  private final Consumer<String> sink;
  private final LongSupplier nanoClock;
  private final Set<String> seen = new HashSet<>();
  private final Map<String, Long> repeats = new TreeMap<>();
  private final ScheduledFuture<?> timer;
  private long intervalStart;
  private boolean closed;

  /**
   * @param counted what the summary counts, in the plural ("refused connections")
   * @param interval how long a kind stays quiet after its first line
   * @param sink where the summary line goes (e.g. {@code log::warn})
   */
  public LogSummary(String counted, Duration interval, Consumer<String> sink) {
    this(counted, interval, sink, System::nanoTime, true);
  }

  /**
   * As {@link #LogSummary(String, Duration, Consumer)} on {@code nanoClock}; without
   * {@code timer}, an interval is summed up only by the next event, {@link #flush} or
   * {@link #close} (for tests, which move the clock themselves).
   */
  LogSummary(String counted, Duration interval, Consumer<String> sink, LongSupplier nanoClock,
      boolean timer) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    this.counted = counted;
    this.interval = interval;
    this.intervalNanos = interval.toNanos();
    this.sink = sink;
    this.nanoClock = nanoClock;
    this.intervalStart = nanoClock.getAsLong();
    long tick = Math.max(1, interval.toMillis() / 4);
    this.timer = timer
        ? TIMER.scheduleAtFixedRate(this::flushIfDue, tick, tick, TimeUnit.MILLISECONDS)
        : null;
  }

  /**
   * Records an event of {@code kind}; true if it is the first of its kind in this interval (the
   * caller logs it), false if it was counted for the summary instead.
   */
  public synchronized boolean first(String kind) {
    if (closed) {
      return true;
    }
    flushIfDue();
    if (seen.add(kind)) {
      return true;
    }
    repeats.merge(kind, 1L, Long::sum);
    return false;
  }

  /** Sums up the interval if it has ended. */
  synchronized void flushIfDue() {
    if (nanoClock.getAsLong() - intervalStart >= intervalNanos) {
      flush();
    }
  }

  /** Logs the counts of this interval, if any, in one line, and starts the next interval. */
  public synchronized void flush() {
    intervalStart = nanoClock.getAsLong();
    seen.clear();
    long total = repeats.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return;
    }
    StringBuilder line = new StringBuilder().append(total).append(" more ").append(counted)
        .append(" in the last ").append(seconds(interval)).append(" s, not logged one by one (");
    String sep = "";
    for (Map.Entry<String, Long> e : repeats.entrySet()) {
      String kind = e.getKey();
      line.append(sep).append(e.getValue()).append(" × ")
          .append(kind.length() <= KIND_CHARS ? kind : kind.substring(0, KIND_CHARS) + "…");
      sep = ", ";
    }
    repeats.clear();
    sink.accept(line.append(')').toString());
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : d.toMillis() / 1000.0 + "";
  }

  /** Stops the timer and logs what is left to sum up; later events are logged one by one. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.cancel(false);
    }
    flush();
    closed = true;
  }
}
