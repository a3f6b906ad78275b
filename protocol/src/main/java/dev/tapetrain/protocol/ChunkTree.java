package dev.tapetrain.protocol;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/**
 * The one order in which chunk results are added, whoever computes them: a fixed binary tree
 * over chunk indices. The tree covers {@code [0, P)} with {@code P} the smallest power of two at
 * least the number of chunks; node {@code (lo, size)} covers chunks {@code [lo, lo + size)}, its
 * sum is its left half's sum plus its right half's (in that order), and a half with no chunk of
 * the round (past the last chunk, or outside a mini-batch) drops out: the node is then the other
 * half unchanged, with no addition at all.
 *
 * <p>Because the order is fixed by the chunk indices alone, a worker can add every complete
 * aligned node inside its chunks ({@link #aggregate}) and send those few partial sums, tagged
 * with their range ({@link ChunkResult#chunk()} and {@link ChunkResult#span()}); the coordinator
 * completes the same tree ({@link #sum}). A round then moves O(workers × parameters × log chunks)
 * numbers instead of O(chunks × parameters), and the result is bit-identical for any number of
 * workers and any assignment of chunks.
 */
public final class ChunkTree {

  private ChunkTree() {}

  /** The width of the tree for {@code chunks} chunks: the next power of two. */
  public static int width(int chunks) {
    return chunks <= 1 ? 1 : Integer.highestOneBit(chunks - 1) << 1;
  }

  /**
   * The largest aligned nodes whose chunks (below {@code chunks}) are all in {@code present}, in
   * chunk order: {@code {lo, size}} pairs covering {@code present} exactly once.
   */
  public static List<int[]> cover(NavigableSet<Integer> present, int chunks) {
    int[] sorted = present.stream().mapToInt(Integer::intValue).toArray();
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < sorted.length; ) {
      int size = nodeSize(sorted, i, sorted.length, chunks);
      out.add(new int[] {sorted[i], size});
      i += Math.min(sorted[i] + size, chunks) - sorted[i];
    }
    return out;
  }

  /**
   * The size of the largest aligned node that starts at chunk {@code sorted[i]} and whose chunks
   * (below {@code chunks}) are all among {@code sorted[i..n)}, strictly ascending.
   */
  private static int nodeSize(int[] sorted, int i, int n, int chunks) {
    int lo = sorted[i];
    int width = width(chunks);
    int size = 1;
    while (lo % (size * 2) == 0 && size * 2 <= width) {
      int end = Math.min(lo + size * 2, chunks);
      int last = i + (end - lo) - 1;
      if (last >= n || sorted[last] != end - 1) {
        break;
      }
      size *= 2;
    }
    return size;
  }

  /**
   * A worker's answer: the per-chunk results of its chunks added into the largest complete
   * aligned nodes (see {@link #cover}), each summed in the tree's order.
   *
   * @param perChunk one result per chunk (span 1), any order
   */
  public static List<ChunkResult> aggregate(List<ChunkResult> perChunk, int chunks) {
    return aggregate(ChunkRows.of(perChunk), chunks);
  }

  /**
   * As {@link #aggregate(List, int)}, from packed rows, which it adds in place (the rows are
   * spent). A node's chunks are adjacent rows, so its sum is taken bottom-up: at stride 1, 2,
   * 4, … row {@code j} (aligned to twice the stride) adds row {@code j + stride} if there is one,
   * which is the tree's order, left operand first, a missing half dropping out.
   *
   * @throws IllegalArgumentException for a chunk outside {@code [0, chunks)}
   */
  public static List<ChunkResult> aggregate(ChunkRows rows, int chunks) {
    int n = rows.size();
    int[] sorted = rows.chunkIds(); // ascending (the rows are added so), read, not written
    for (int i = 0; i < n; i++) {
      if (sorted[i] < 0 || sorted[i] >= chunks) {
        throw new IllegalArgumentException("chunk " + sorted[i] + " is not in 0.." + (chunks - 1));
      }
    }
    List<ChunkResult> out = new ArrayList<>();
    for (int i = 0; i < n; ) {
      int size = nodeSize(sorted, i, n, chunks);
      int inNode = Math.min(sorted[i] + size, chunks) - sorted[i];
      for (int stride = 1; stride < inNode; stride *= 2) {
        for (int j = 0; j + stride < inNode; j += 2 * stride) {
          rows.addInto(i + j, i + j + stride);
        }
      }
      out.add(rows.result(i, size));
      i += inNode;
    }
    return out;
  }

  /**
   * A worker's answer to a mini-batch round: as {@link #aggregate(ChunkRows, int)}, but a node may
   * also hold chunks the round does not touch. {@code round} is every chunk the round touches (on
   * any worker); a node is pre-added when each of its chunks that the round touches is one of
   * {@code rows} — its other chunks drop out, as the coordinator's {@link #sum} drops them. A
   * batch of 256 over a thousand chunks touches a few hundred chunks with a sample or two each,
   * none adjacent, so without this a worker would send one result per touched chunk; with it, a
   * worker holding a contiguous run of chunks sends about {@code log2(chunks)} nodes. The
   * additions and their order are the tree's, so the bits are those of single-chunk answers.
   *
   * @param rows  one row per chunk asked of this worker, in ascending chunk order (spent)
   * @param round the chunks the round touches; must hold every chunk of {@code rows}
   * @throws IllegalArgumentException for a row outside {@code [0, chunks)}, out of order, or not
   *     in {@code round}
   */
  public static List<ChunkResult> aggregate(ChunkRows rows, int chunks,
      NavigableSet<Integer> round) {
    int[] touched = round.stream().mapToInt(Integer::intValue).toArray();
    return aggregate(rows, chunks, touched, touched.length);
  }

  /**
   * As {@link #aggregate(ChunkRows, int, NavigableSet)}, the chunks the round touches given as
   * {@code touched[0, count)}, strictly ascending (a worker's reused array: nothing is boxed).
   */
  public static List<ChunkResult> aggregate(ChunkRows rows, int chunks, int[] touched,
      int count) {
    int n = rows.size();
    int[] mine = rows.chunkIds(); // ascending (checked), read, not written
    for (int i = 0; i < n; i++) {
      if (mine[i] < 0 || mine[i] >= chunks || (i > 0 && mine[i] <= mine[i - 1])
          || java.util.Arrays.binarySearch(touched, 0, count, mine[i]) < 0) {
        throw new IllegalArgumentException("chunk " + mine[i] + " is not a new chunk of the "
            + "round in 0.." + (chunks - 1));
      }
    }
    int width = width(chunks);
    List<ChunkResult> out = new ArrayList<>();
    for (int i = 0; i < n; ) {
      // The largest aligned node around row i's chunk whose touched chunks are all rows. Every
      // node inside a valid one is valid, so growing until the first invalid finds it; and an
      // earlier row is never inside it (that row's own node would have taken this chunk).
      int lo = mine[i];
      int size = 1;
      while (size * 2 <= width) {
        int up = lo & -(size * 2);
        int end = Math.min(up + size * 2, chunks);
        if (countIn(touched, 0, count, up, end) != countIn(mine, i, n, up, end)
            || (i > 0 && mine[i - 1] >= up)) {
          break;
        }
        lo = up;
        size *= 2;
      }
      int j = firstAtLeast(mine, i, n, Math.min(lo + size, chunks));
      out.add(rows.result(sumNode(rows, mine, i, j, lo, size), lo, size));
      i = j;
    }
    return out;
  }

  /**
   * Adds rows {@code [a, b)} (the rows of node {@code (lo, size)}) in the tree's order: each
   * node its left half plus its right half, an empty half dropping out.
   *
   * @return the row holding the sum, or -1 if there is none
   */
  private static int sumNode(ChunkRows rows, int[] mine, int a, int b, int lo, int size) {
    if (a == b) {
      return -1;
    }
    if (size == 1) {
      return a;
    }
    int half = size / 2;
    int m = firstAtLeast(mine, a, b, lo + half);
    int left = sumNode(rows, mine, a, m, lo, half);
    int right = sumNode(rows, mine, m, b, lo + half, half);
    if (left < 0) {
      return right;
    }
    if (right >= 0) {
      rows.addInto(left, right);
    }
    return left;
  }

  /** The first index in {@code [from, to)} of ascending {@code a} whose value is ≥ {@code v}. */
  private static int firstAtLeast(int[] a, int from, int to, int v) {
    int i = java.util.Arrays.binarySearch(a, from, to, v);
    return i >= 0 ? i : -i - 1;
  }

  /** How many values of ascending {@code a[from, to)} are in {@code [lo, end)}. */
  private static int countIn(int[] a, int from, int to, int lo, int end) {
    return firstAtLeast(a, from, to, end) - firstAtLeast(a, from, to, lo);
  }

  /**
   * The sum of node {@code (lo, size)} from the results at hand (single chunks or whole nodes,
   * by {@link #key}), in the tree's order; null if none of its chunks is there.
   *
   * <p>The results are taken in key order (their first chunk's), and a node whose chunks hold
   * none is skipped without a look-up, so a mini-batch round that touches k of C chunks visits
   * O(k log C) nodes, not all 2C: an empty half drops out exactly as before, so the additions
   * and their order are unchanged.
   */
  public static ChunkResult sum(Map<Long, ChunkResult> results, int lo, int size) {
    long[] keys = new long[results.size()];
    int i = 0;
    for (long k : results.keySet()) {
      keys[i++] = k;
    }
    java.util.Arrays.sort(keys);
    ChunkResult[] sorted = new ChunkResult[keys.length];
    for (i = 0; i < keys.length; i++) {
      sorted[i] = results.get(keys[i]);
    }
    return sum(keys, sorted, new int[] {0}, lo, size);
  }

  /** As above, {@code next[0]} the first result not yet used or passed over. */
  private static ChunkResult sum(long[] keys, ChunkResult[] sorted, int[] next, int lo,
      int size) {
    // A result starting left of this node was not a node of the walk (the full walk never
    // looked it up either): pass over it.
    while (next[0] < keys.length && (keys[next[0]] >>> 32) < lo) {
      next[0]++;
    }
    if (next[0] == keys.length || (keys[next[0]] >>> 32) >= (long) lo + size) {
      return null; // no result starts inside this node
    }
    if (keys[next[0]] == key(lo, size)) {
      return sorted[next[0]++];
    }
    if (size == 1) {
      return null;
    }
    int half = size / 2;
    ChunkResult left = sum(keys, sorted, next, lo, half);
    ChunkResult right = sum(keys, sorted, next, lo + half, half);
    if (left == null) {
      return right;
    }
    if (right == null) {
      return left;
    }
    return add(left, right, lo, size);
  }

  /** The key of node {@code (lo, size)} in a map of results. */
  public static long key(int lo, int size) {
    return ((long) lo << 32) | size;
  }

  /** {@code left + right} as the result of node {@code (lo, size)}: every sum left first. */
  private static ChunkResult add(ChunkResult left, ChunkResult right, int lo, int size) {
    List<NamedTensor> grads = new ArrayList<>(left.gradients().size());
    for (int p = 0; p < left.gradients().size(); p++) {
      double[] a = left.gradients().get(p).values();
      double[] b = right.gradients().get(p).values();
      double[] s = new double[a.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = a[i] + b[i];
      }
      grads.add(left.gradients().get(p).withValues(s));
    }
    List<Double> metrics = new ArrayList<>(left.metricSums().size());
    for (int m = 0; m < left.metricSums().size(); m++) {
      metrics.add(left.metricSums().get(m) + right.metricSums().get(m));
    }
    return new ChunkResult(lo, left.count() + right.count(), left.lossSum() + right.lossSum(),
        grads, metrics, size);
  }
}
