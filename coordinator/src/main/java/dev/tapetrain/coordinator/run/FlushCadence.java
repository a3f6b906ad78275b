package dev.tapetrain.coordinator.run;

import java.util.function.LongSupplier;

/**
 * When to hand buffered progress output (steps.jsonl lines, console lines) to the operating
 * system: at most every {@link #INTERVAL_NANOS}. A loop of microsecond steps then does not pay a
 * write system call per step (measured: half of a 1000-sample step in one JVM), while someone
 * following the run still sees each line within a tenth of a second. Writers also flush wherever
 * it matters for recovery or for order: before a checkpoint, on worker events, at the end.
 */
public final class FlushCadence {

  /** The longest a written line waits for its flush while steps keep coming. */
  public static final long INTERVAL_NANOS = 100_000_000L;

  private final LongSupplier clock;
  private long last;

  /** A cadence on {@link System#nanoTime()}, starting now. */
  public FlushCadence() {
    this(System::nanoTime);
  }

  /** A cadence on {@code clock} (nanoseconds), starting now. */
  public FlushCadence(LongSupplier clock) {
    this.clock = clock;
    this.last = clock.getAsLong();
  }

  /** Whether a flush is due; if it is, the caller flushes and the interval starts again. */
  public boolean due() {
    long now = clock.getAsLong();
    if (now - last >= INTERVAL_NANOS) {
      last = now;
      return true;
    }
    return false;
  }

  /** Notes a flush made for another reason: the interval starts again. */
  public void flushed() {
    last = clock.getAsLong();
  }
}
