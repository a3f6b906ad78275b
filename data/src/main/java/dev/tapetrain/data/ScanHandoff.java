package dev.tapetrain.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The values a scan parsed, kept for the workers of the same JVM (local-runner, the Java API),
 * so that their load copies them instead of reading and parsing the files again. Off unless
 * {@link #enable}d (a coordinator whose workers are other processes never keeps anything), and
 * only within a budget of heap; a file not kept is read as always.
 *
 * <p>The values are exactly the doubles a worker's read of the file gives (the scan and the
 * reader share one parser: for CSV {@link CsvByteRow}, then {@link CsvLine}; for Parquet the
 * {@code parquet} package's column reader), kept per file under the
 * file's path, its SHA-256 as the scan hashed it, and the selected columns. Each file's values
 * are dropped once workers have taken as many rows as it has, so the heap holds the data twice
 * only until every worker has its share; a later load (a worker taking over chunks, a resumed
 * run) reads the file.
 *
 * <p>Use: {@link #enable} before the scan; the scan {@link #keep}s; each load {@link #take}s;
 * {@link #release} at the end of the run or when the samples go elsewhere (the column cache).
 */
public final class ScanHandoff {

  /** Rows copied to workers from a scan's values (not read from a file): for tests. */
  public static final LongAdder ROWS_HANDED = new LongAdder();

  // Rows handed to loads on this thread: a load runs on one thread, so its own count is exact
  // even while another worker of the JVM loads.
  private static final ThreadLocal<long[]> HANDED_HERE = ThreadLocal.withInitial(() -> new long[1]);

  private static final Map<Key, Kept> KEPT = new HashMap<>();
  private static long budget;
  private static long held;

  private ScanHandoff() {}

  private record Key(Path path, String sha256, List<String> features, String target) {}

  /** A file's values, and how many of its rows workers took. */
  private static final class Kept {
    final ScannedColumns values;
    long taken;

    Kept(ScannedColumns values) {
      this.values = values;
    }
  }

  /** From now on scans of this JVM keep up to {@code maxBytes} of values for its workers. */
  public static synchronized void enable(long maxBytes) {
    budget = Math.max(0, maxBytes);
  }

  /** Drops every value kept (the workers that wanted them read files, as without a scan). */
  public static synchronized void release() {
    KEPT.clear();
    held = 0;
  }

  /** The bytes of values kept now. */
  public static synchronized long heldBytes() {
    return held;
  }

  /** Bytes a scan may still keep; 0 when off. */
  static synchronized long room() {
    return budget - held;
  }

  /**
   * Keeps {@code values}, the rows of {@code path} (whose whole bytes hash to {@code sha256})
   * as the scan parsed them for {@code features} and {@code target}; nothing if they do not fit
   * in the room left.
   */
  static synchronized void keep(Path path, String sha256, List<String> features, String target,
      ScannedColumns values) {
    Key key = key(path, sha256, features, target);
    Kept old = KEPT.remove(key);
    if (old != null) {
      held -= old.values.bytes();
    }
    if (values.bytes() <= budget - held) {
      KEPT.put(key, new Kept(values));
      held += values.bytes();
    }
  }

  /**
   * Copies the rows of {@code parts} (rows of the file {@code file}) from a scan's values, if
   * a scan of this JVM kept them for this selection.
   *
   * @return whether it did; if not, nothing was written and the caller reads the file
   */
  static boolean take(FileSet.DataFile file, List<String> features, String target,
      List<FileFormat.Part> parts) {
    Key key = key(file.path(), file.digest(), features, target);
    ScannedColumns values;
    synchronized (ScanHandoff.class) {
      Kept kept = KEPT.get(key);
      if (kept == null || kept.values.rows() != file.rows()) {
        return false;
      }
      values = kept.values;
      for (FileFormat.Part p : parts) {
        kept.taken += p.to() - p.from();
      }
      // Every row taken (the workers' first loads cover the dataset once): one copy is enough.
      if (kept.taken >= file.rows()) {
        KEPT.remove(key);
        held -= values.bytes();
      }
    }
    long n = 0;
    for (FileFormat.Part p : parts) {
      values.copyTo(p.from(), p.to(), p.x(), p.y(), p.at());
      n += p.to() - p.from();
    }
    ROWS_HANDED.add(n);
    HANDED_HERE.get()[0] += n;
    return true;
  }

  /** Rows handed to loads on the calling thread so far (a load's share: after − before). */
  static long handedHere() {
    return HANDED_HERE.get()[0];
  }

  private static Key key(Path path, String sha256, List<String> features, String target) {
    return new Key(path.toAbsolutePath().normalize(), sha256, List.copyOf(features), target);
  }
}
