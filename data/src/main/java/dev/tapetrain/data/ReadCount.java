package dev.tapetrain.data;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes the input formats read from data files during one load, from their own counters
 * (the CSV piece reader's and the Parquet row-group reader's; those readers are the only ones
 * of a load by a manifest). The counters are per JVM, so a count is exact only when no other
 * counted load ran in this JVM at the same time (several workers of one local-runner loading at
 * once): {@link #stop} then says it cannot tell.
 *
 * <p>Use: {@code ReadCount c = ReadCount.start(); try { load } finally { bytes = c.stop(); }}.
 */
public final class ReadCount {

  private static final AtomicInteger ACTIVE = new AtomicInteger();
  private static final AtomicLong STARTS = new AtomicLong();

  private final long before;
  private final long start;
  private final boolean alone;
  private boolean stopped;

  private ReadCount(long before, long start, boolean alone) {
    this.before = before;
    this.start = start;
    this.alone = alone;
  }

  /** Begins counting a load on this thread. */
  public static ReadCount start() {
    boolean alone = ACTIVE.incrementAndGet() == 1;
    return new ReadCount(total(), STARTS.incrementAndGet(), alone);
  }

  /**
   * Ends the count (once).
   *
   * @return the bytes read since {@link #start}, or -1 if another load of this JVM overlapped
   */
  public long stop() {
    if (stopped) {
      throw new IllegalStateException("stopped twice");
    }
    stopped = true;
    long bytes = total() - before;
    boolean overlapped = !alone || STARTS.get() != start;
    ACTIVE.decrementAndGet();
    return overlapped ? -1 : bytes;
  }

  private static long total() {
    return CsvPieceReader.BYTES_READ.sum() + RowGroupDigests.BYTES_READ.sum();
  }
}
