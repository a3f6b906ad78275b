package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
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
 * file's path, its digest as the scan recorded it, and the selected columns. Each file's
 * values are dropped once workers have taken as many rows as it has (views keep the arrays alive
 * as the workers' samples; copies hold the data twice only until every worker has its share); a
 * later load (a worker taking over chunks, a resumed run) reads the file.
 *
 * <p>A load whose chunks each lie in one kept file is given the scan's arrays themselves
 * ({@link #views}): its segments are views of them, starting at the chunks' rows in the file, and
 * nothing is copied (a fresh JVM pays for every page of new memory: copying the 88 MB of a 1M-row
 * × 11-column file into new arrays cost ~0.4 s). Segments are read only, so the workers of the
 * JVM share the arrays; they live as long as a worker holds a segment of them. A chunk that spans
 * two files is copied ({@link #take}).
 *
 * <p>Use: {@link #enable} before the scan; the scan {@link #keep}s; each load takes
 * {@link #views} and {@link #take}s the rest; {@link #release} at the end of the run or when the
 * samples go elsewhere (the column cache).
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

  /** Rows given to loads as views of the scan's arrays (not copied): for tests. */
  public static final LongAdder ROWS_VIEWED = new LongAdder();

  /**
   * Segments that are views of a scan's arrays for those of {@code chunks} (ascending) that lie
   * wholly in one file whose values a scan of this JVM kept for {@code dataset}'s selection,
   * one segment per run of such chunks that follow each other in one block of the scan's values
   * (a chunk across two blocks is copied, as one across files); the chunks given are
   * removed from {@code chunks}. Only for data read by a manifest (every scan of this JVM makes
   * one) and without validation data of their own; otherwise nothing is given.
   */
  static List<Segment> views(DatasetSpec dataset, SortedSet<Integer> chunks) {
    List<Segment> out = new ArrayList<>();
    DatasetSpec.Source src = dataset.source();
    if (dataset.validation() != null || chunks.isEmpty()
        || (src.setting(CsvManifest.SETTING) == null
            && src.setting(RowGroupDigests.SETTING) == null)
        || (src.setting("path") == null && src.setting("paths") == null)) {
      return out;
    }
    synchronized (ScanHandoff.class) {
      if (KEPT.isEmpty()) {
        return out;
      }
    }
    FileSet set = FileSet.of(src);
    List<Run> runs = new ArrayList<>();
    Run run = null;
    for (int c : chunks) {
      long from = dataset.chunkStart(c);
      long to = from + dataset.chunkLength(c);
      long[] where = {-1, 0, 0, 0}; // the file, the chunk's rows in it [from, to), the parts
      set.parts(from, to, (k, a, b, at) -> {
        where[0] = k;
        where[1] = a;
        where[2] = b;
        where[3]++;
      });
      Kept kept = where[3] == 1 ? kept(set.files().get((int) where[0]), src) : null;
      int block = kept == null ? -1 : kept.values.blockOf(where[1], where[2]);
      if (block < 0) {
        run = null; // copied, by the format's load (across files, or across a scan's blocks)
        continue;
      }
      int base = kept.values.start(block);
      boolean follows = run != null && run.kept == kept && run.block == block
          && run.end == where[1] - base && run.ids.get(run.ids.size() - 1) == c - 1
          && !(dataset.separated() && c == dataset.trainingChunks());
      if (!follows) {
        run = new Run(kept, block);
        runs.add(run);
      }
      run.ids.add(c);
      run.starts.add((int) (where[1] - base));
      run.end = (int) (where[2] - base);
    }
    long n = 0;
    for (Run r : runs) {
      int[] starts = new int[r.starts.size() + 1];
      for (int i = 0; i < r.starts.size(); i++) {
        starts[i] = r.starts.get(i);
      }
      starts[r.starts.size()] = r.end;
      long rows = r.end - starts[0];
      synchronized (ScanHandoff.class) {
        r.kept.taken += rows;
        // Every row taken: later loads read the file; the arrays live on in the views.
        if (r.kept.taken >= r.kept.values.rows() && KEPT.values().remove(r.kept)) {
          held -= r.kept.values.bytes();
        }
      }
      out.add(new Segment(r.ids.get(0), starts, r.kept.values.x(r.block),
          r.kept.values.y(r.block)));
      chunks.removeAll(r.ids);
      n += rows;
    }
    ROWS_VIEWED.add(n);
    ROWS_HANDED.add(n);
    HANDED_HERE.get()[0] += n;
    return out;
  }

  /** Chunks that follow each other in one block of a kept file, for one view segment. */
  private static final class Run {
    final Kept kept;
    final int block;
    final List<Integer> ids = new ArrayList<>();
    final List<Integer> starts = new ArrayList<>();
    int end;

    Run(Kept kept, int block) {
      this.kept = kept;
      this.block = block;
    }
  }

  /** The values a scan of this JVM keeps of {@code path} for a selection, or null: for tests. */
  static synchronized ScannedColumns keptValues(Path path, String sha256, List<String> features,
      String target) {
    Kept kept = KEPT.get(key(path, sha256, features, target));
    return kept == null ? null : kept.values;
  }

  /** What a scan of this JVM kept of {@code file} for {@code src}'s selection, or null. */
  private static synchronized Kept kept(FileSet.DataFile file, DatasetSpec.Source src) {
    Kept kept = KEPT.get(key(file.path(), file.digest(), src.columns(), src.target()));
    return kept != null && kept.values.rows() == file.rows() ? kept : null;
  }

  /** Rows handed to loads on the calling thread so far (a load's share: after − before). */
  static long handedHere() {
    return HANDED_HERE.get()[0];
  }

  private static Key key(Path path, String sha256, List<String> features, String target) {
    return new Key(path.toAbsolutePath().normalize(), sha256, List.copyOf(features), target);
  }
}
