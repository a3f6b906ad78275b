package dev.tapetrain.protocol;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable list of chunk ids kept as runs of consecutive ids: {@code [first, count]} pairs,
 * in list order. A worker's chunks are one contiguous block (see the coordinator's
 * {@code ChunkAssignment}), so the list a step asks for — thousands of ids at millions of
 * samples — is one run or a few: two numbers on the wire instead of thousands, and no boxed
 * {@code Integer} per id on either side. Any list of ids can be held (an id out of order
 * starts a run of its own); it equals, and hashes as, any {@link List} of the same ids.
 */
public final class ChunkRuns extends AbstractList<Integer> implements RandomAccess {

  private static final ChunkRuns EMPTY = new ChunkRuns(new int[0], new int[] {0});

  /** first id and count of each run, interleaved. */
  private final int[] runs;
  /** ends[r] = ids in runs 0..r-1; ends[runs] = size. */
  private final int[] ends;

  private ChunkRuns(int[] runs, int[] ends) {
    this.runs = runs;
    this.ends = ends;
  }

  /** {@code chunks} as runs; a {@code ChunkRuns} is returned as it is. */
  public static ChunkRuns of(List<Integer> chunks) {
    if (chunks instanceof ChunkRuns r) {
      return r;
    }
    int[] ids = new int[chunks.size()];
    int i = 0;
    for (int c : chunks) {
      ids[i++] = c;
    }
    return ofIds(ids);
  }

  /** The list of {@code ids}, in that order. */
  public static ChunkRuns ofIds(int... ids) {
    int[] runs = new int[2 * ids.length];
    int n = 0;
    for (int c : ids) {
      n = append(runs, n, c, 1);
    }
    return n == 0 ? EMPTY : build(Arrays.copyOf(runs, n));
  }

  /** Appends a run to {@code runs[0, n)}, merged with the last if it continues it; new n. */
  private static int append(int[] runs, int n, int first, int count) {
    if (n > 0 && (long) runs[n - 2] + runs[n - 1] == first
        && (long) runs[n - 1] + count <= Integer.MAX_VALUE) {
      runs[n - 1] += count;
      return n;
    }
    runs[n] = first;
    runs[n + 1] = count;
    return n + 2;
  }

  /**
   * The list of {@code runs}: {@code [first, count]} pairs, each count at least 1.
   *
   * @throws IllegalArgumentException if the array has an odd length, a count below 1, or a run
   *     or the whole list longer than an int can count
   */
  public static ChunkRuns fromRuns(int[] runs) {
    if (runs.length % 2 != 0) {
      throw new IllegalArgumentException("chunk runs come in pairs, got " + runs.length
          + " numbers");
    }
    // Runs that continue each other are merged, so equal lists have equal runs.
    int[] merged = new int[runs.length];
    int n = 0;
    for (int r = 0; r < runs.length; r += 2) {
      if (runs[r + 1] < 1 || (long) runs[r] + runs[r + 1] - 1 > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("chunk run from " + runs[r] + " of " + runs[r + 1]
            + " chunks");
      }
      n = append(merged, n, runs[r], runs[r + 1]);
    }
    return n == 0 ? EMPTY : build(Arrays.copyOf(merged, n));
  }

  private static ChunkRuns build(int[] runs) {
    int[] ends = new int[runs.length / 2 + 1];
    long size = 0;
    for (int r = 0; r < runs.length / 2; r++) {
      size += runs[2 * r + 1];
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " chunks");
      }
      ends[r + 1] = (int) size;
    }
    return new ChunkRuns(runs, ends);
  }

  /** The number of runs. */
  public int runCount() {
    return runs.length / 2;
  }

  /** The first id of run {@code r}. */
  public int first(int r) {
    return runs[2 * r];
  }

  /** The number of ids in run {@code r}. */
  public int count(int r) {
    return runs[2 * r + 1];
  }

  @Override
  public Integer get(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("index " + index + " of " + size());
    }
    int r = Arrays.binarySearch(ends, index);
    // An exact hit is the first id of run r; else the insertion point is one past the run.
    r = r >= 0 ? r : -r - 2;
    return runs[2 * r] + (index - ends[r]);
  }

  @Override
  public int size() {
    return ends[ends.length - 1];
  }

  /**
   * Two run lists compare by their runs (merged, so equal lists have equal runs); any other
   * list id by id, without boxing an id of this one (a worker compares its chunk list every
   * round).
   */
  @Override
  public boolean equals(Object o) {
    if (o instanceof ChunkRuns r) {
      return Arrays.equals(runs, r.runs);
    }
    if (!(o instanceof List<?> list) || list.size() != size()) {
      return false;
    }
    if (!(list instanceof RandomAccess)) {
      return super.equals(o);
    }
    int i = 0;
    for (int r = 0; r < runs.length; r += 2) {
      for (int k = 0; k < runs[r + 1]; k++) {
        if (!(list.get(i++) instanceof Integer id) || id != runs[r] + k) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The ids of {@code chunks} in order into {@code into} if it is long enough, else into a new
   * array: the array written. A {@code ChunkRuns} is read run by run and no id is boxed.
   */
  public static int[] ids(List<Integer> chunks, int[] into) {
    int n = chunks.size();
    int[] out = into.length >= n ? into : new int[Math.max(n, 2 * into.length)];
    if (chunks instanceof ChunkRuns c) {
      int i = 0;
      for (int r = 0; r < c.runs.length; r += 2) {
        for (int k = 0; k < c.runs[r + 1]; k++) {
          out[i++] = c.runs[r] + k;
        }
      }
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = chunks.get(i);
      }
    }
    return out;
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }
}
