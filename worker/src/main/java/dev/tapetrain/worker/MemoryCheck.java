package dev.tapetrain.worker;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.data.ScanHandoff;
import dev.tapetrain.data.ShardLoader;
import java.util.Locale;

/**
 * Refuses a shard that cannot fit in this JVM's heap before loading starts, with the numbers and
 * what to do, instead of an {@link OutOfMemoryError} half-way through. The estimate is the
 * samples' own bytes ({@link ShardLoader#bytesFor}) plus a margin for everything else; the JVM
 * property {@value #PROPERTY}{@code =false} skips it (a worker then still answers an
 * OutOfMemoryError with a clean refusal).
 */
public final class MemoryCheck {

  /** JVM property that turns the check off. */
  public static final String PROPERTY = "tapetrain.memoryCheck";

  /** Room kept for everything but the samples: actors, messages, the JIT, the tape's buffers. */
  static final long MARGIN_BYTES = 48L << 20;

  private MemoryCheck() {}

  /**
   * Checks that {@code samples} samples of {@code dataset} fit in what this heap has left.
   *
   * @param what the option or the work being checked, for the message
   * @param hint what else the user can do, besides a larger heap
   * @throws UserError with the numbers if they do not fit
   */
  public static void require(String what, DatasetSpec dataset, long samples, String hint) {
    if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
      return;
    }
    Runtime rt = Runtime.getRuntime();
    long needed = ShardLoader.bytesFor(dataset, samples);
    long available = availableFor(needed);
    if (needed > available) {
      throw new UserError(String.format(Locale.ROOT, "%s: %d samples need %s of memory "
              + "(%d bytes each) and this JVM has %s left for them (-Xmx %s, of which %s are "
              + "kept for the rest of the process); give java a larger -Xmx (at least %s), or %s",
          what, samples, size(needed), 8 * (dataset.features() + 1), size(Math.max(0, available)),
          size(rt.maxMemory()), size(MARGIN_BYTES), size(rt.maxMemory() + needed - available),
          hint));
    }
  }

  /**
   * Whether {@code samples} samples of {@code dataset} fit in what this heap has left (as
   * {@link #require} checks it; always with the check turned off).
   */
  public static boolean fits(DatasetSpec dataset, long samples) {
    long needed = ShardLoader.bytesFor(dataset, samples);
    return !Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))
        || needed <= availableFor(needed);
  }

  /**
   * What this heap has left for {@code needed} bytes. When that is too little while the scan of
   * this JVM still holds its parsed values for the workers ({@link ScanHandoff}, local-runner),
   * they are dropped first — the workers then read the files — and the heap collected: that copy
   * must never make a share that fits without it not fit.
   */
  private static long availableFor(long needed) {
    long available = available();
    if (needed > available && ScanHandoff.heldBytes() > 0) {
      ScanHandoff.release();
      System.gc();
      available = available();
    }
    return available;
  }

  private static long available() {
    Runtime rt = Runtime.getRuntime();
    return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - MARGIN_BYTES;
  }

  /** Bytes in MiB or GiB, for people. */
  public static String size(long bytes) {
    return bytes >= (1L << 30) ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
        : String.format(Locale.ROOT, "%d MiB", (bytes + (1L << 20) - 1) >> 20);
  }
}
