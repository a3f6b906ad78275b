package dev.tapetrain.data;

import dev.tapetrain.protocol.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * The second pass of the CSV scan by ranges ({@link CsvRangeScan}): once the first pass ({@link
 * CsvRangeParse}) knows every range's rows, where the file's leaves of the {@link PieceTree}
 * begin ({@link #leaves}), and their digests — each the SHA-256 of its bytes, from its first
 * row's start to the next leaf's (blank lines go with the row before them), exactly as the
 * one-thread scan hashes them line by line — hashed by groups of whole pieces on several threads
 * ({@link #hash}), a megabyte read at a time. A leaf's first row is found from the first pass's
 * mark before it (one per 64 rows) by a walk of at most 63 rows ({@link Walk}); each group
 * also takes the CRC-32C of the bytes it read, for the caller to compare with the first pass's.
 */
final class CsvLeafHash {

  private CsvLeafHash() {}

  /**
   * The leaves of one file whose rows are {@code parts}' in order, the first of them the
   * dataset's row {@code before}, on line {@code firstLine}: leaf {@code i} is the dataset's leaf
   * {@link #index}{@code (i)}; it starts at its first row (found by {@link Walk}) and ends where
   * leaf {@code i + 1} starts, the last one at the file's end, {@code end}. Nothing is kept per
   * leaf: a file of 40M short rows is 625K leaves.
   */
  record Leaves(Path path, List<CsvRangeParse.Parsed> parts, long[] rowsBefore, long[] linesBefore,
      long before, long firstLine, long end, int size) {

    /** The dataset's index of leaf {@code i}. */
    long index(int i) {
      return before / CsvManifest.LEAF_ROWS + i;
    }

    /** The file's row that begins leaf {@code i}: its first row, then every aligned one. */
    long row(int i) {
      return i == 0 ? 0 : (long) i * CsvManifest.LEAF_ROWS - before % CsvManifest.LEAF_ROWS;
    }
  }

  /** The leaves of {@code path}, of {@code size} bytes (see {@link Leaves}). */
  static Leaves leaves(Path path, List<CsvRangeParse.Parsed> parts, long before,
      long firstLine, long size) {
    long[] rowsBefore = new long[parts.size() + 1];
    long[] linesBefore = new long[parts.size() + 1];
    for (int k = 0; k < parts.size(); k++) {
      rowsBefore[k + 1] = rowsBefore[k] + parts.get(k).rows();
      linesBefore[k + 1] = linesBefore[k] + parts.get(k).lines();
    }
    long rows = rowsBefore[parts.size()];
    int leaf = CsvManifest.LEAF_ROWS;
    long n = (before + rows - 1) / leaf - before / leaf + 1;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(n + " leaves");
    }
    return new Leaves(path, parts, rowsBefore, linesBefore, before, firstLine, size, (int) n);
  }

  /**
   * Finds where leaves start: from the mark before the leaf's first row, a walk of at most 63
   * rows (blank lines between them as they come), on one reader reused for every walk.
   */
  static final class Walk {
    private final FileChannel ch;
    private final Leaves leaves;
    private CsvBytes lines;

    Walk(FileChannel ch, Leaves leaves) {
      this.ch = ch;
      this.leaves = leaves;
    }

    /**
     * Leaf {@code i}'s start: {offset, line}; null if the walk does not find the row the first
     * pass found there (the file changed).
     */
    long[] start(int i) throws IOException {
      long row = leaves.row(i);
      long[] rb = leaves.rowsBefore();
      // The range holding the row: the last whose rows before are at most row (skips ranges
      // without rows, which have as many rows before as the next).
      int lo = 0;
      int hi = rb.length - 1;
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (rb[mid] <= row) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      CsvRangeParse.Parsed p = leaves.parts().get(lo);
      int r = (int) (row - rb[lo]);
      int m = r / CsvManifest.LEAF_ROWS;
      int skip = r % CsvManifest.LEAF_ROWS;
      long at = p.from() + p.markOffsets()[m];
      long lineNo = leaves.firstLine() + leaves.linesBefore()[lo] + p.markLines()[m];
      if (skip == 0) {
        return new long[] {at, lineNo};
      }
      long until = m + 1 < p.markOffsets().length ? p.from() + p.markOffsets()[m + 1] : p.to();
      if (lines == null) {
        lines = new CsvBytes(ch, leaves.path(), at, until);
      } else {
        lines.reset(at, until);
      }
      try {
        while (lines.next()) {
          if (!lines.blank()) {
            if (skip == 0) {
              return new long[] {lines.start(), lineNo};
            }
            skip--;
          }
          lineNo++;
        }
      } catch (DataException e) {
        return null; // no longer UTF-8
      }
      return null;
    }

    /** Where leaf {@code i - 1} ends: leaf {@code i}'s start, or the file's end. */
    long[] end(int i) throws IOException {
      return i < leaves.size() ? start(i) : new long[] {leaves.end(), 0};
    }
  }

  /**
   * What hashing a group of leaves found: its nodes, and the CRC-32C and length of the bytes it
   * read (the leaves' bytes, one after another), to compare with the first pass's read.
   */
  record Group(List<PieceTree.Node> nodes, long crc, long bytes) {}

  /**
   * The nodes of leaves {@code [a, b)}, folded up to {@code level} as {@link PieceTree#push}
   * folds them ({@code a} begins a piece, or the file); null if a leaf's start was not found or
   * the file ended early (it changed), or {@code stop} was set.
   */
  static Group hash(FileChannel ch, Leaves leaves, int a, int b, int level,
      AtomicBoolean stop) throws IOException {
    List<PieceTree.Node> nodes = new ArrayList<>();
    MessageDigest sha = Hashing.sha256();
    CRC32C crc = new CRC32C();
    Walk walk = new Walk(ch, leaves);
    long[] start = walk.start(a);
    long[] groupEnd = walk.end(b);
    long[] next = walk.end(a + 1);
    if (start == null || groupEnd == null || next == null) {
      return null;
    }
    long first = start[0];
    long pos = first;
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20,
        Math.max(1, groupEnd[0] - pos)));
    byte[] bytes = buf.array();
    int i = a;
    while (i < b) {
      if (stop.get() || next[0] <= start[0] || next[0] > groupEnd[0]) {
        return null;
      }
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), groupEnd[0] - pos));
      while (buf.hasRemaining()) {
        if (ch.read(buf, pos + buf.position()) < 0) {
          return null;
        }
      }
      int got = buf.position();
      crc.update(bytes, 0, got);
      int p = 0;
      while (p < got) {
        int n = (int) Math.min(got - p, next[0] - (pos + p));
        sha.update(bytes, p, n);
        p += n;
        if (pos + p == next[0]) {
          // digest() resets the digest for the next leaf.
          PieceTree.push(nodes, new PieceTree.Node(0, leaves.index(i), sha.digest(), start[0],
              start[1]), level);
          i++;
          if (i == b) {
            break;
          }
          start = next;
          next = i + 1 == b ? groupEnd : walk.end(i + 1);
          if (next == null || next[0] <= start[0]) {
            return null;
          }
        }
      }
      pos += got;
    }
    return new Group(nodes, crc.getValue(), pos - first);
  }

  /**
   * Where to cut {@code leaves} into about {@code groups} groups of whole pieces ({@code
   * pieceLeaves} leaves each, aligned on the dataset's leaves): the first leaf of each group, and
   * the leaves' count last.
   */
  static int[] groups(Leaves leaves, int groups, int pieceLeaves) {
    List<Integer> cuts = new ArrayList<>(List.of(0));
    int n = leaves.size();
    for (int j = 1; j < groups; j++) {
      int at = (int) ((long) n * j / groups);
      while (at < n && leaves.index(at) % pieceLeaves != 0) {
        at++;
      }
      if (at > cuts.get(cuts.size() - 1) && at < n) {
        cuts.add(at);
      }
    }
    cuts.add(n);
    return cuts.stream().mapToInt(Integer::intValue).toArray();
  }
}
