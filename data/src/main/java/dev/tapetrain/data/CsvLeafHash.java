package dev.tapetrain.data;

import dev.tapetrain.protocol.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The second pass of the CSV scan by ranges ({@link CsvRangeScan}): once the first pass ({@link
 * CsvRangeParse}) knows every range's rows, where the file's leaves of the {@link PieceTree}
 * begin ({@link #leaves}), and their digests — each the SHA-256 of its bytes, from its first
 * row's start to the next leaf's (blank lines go with the row before them), exactly as the
 * one-thread scan hashes them line by line — hashed by groups of whole pieces on several threads
 * ({@link #hash}), a megabyte read at a time.
 */
final class CsvLeafHash {

  private CsvLeafHash() {}

  /**
   * The leaves of one file: leaf {@code i} is the dataset's leaf {@code index[i]}, its first row
   * starts at byte {@code offset[i]} on line {@code line[i]}; it ends where leaf {@code i + 1}
   * starts, the last one at the file's end.
   */
  record Leaves(long[] index, long[] offset, long[] line, long end) {

    int size() {
      return index.length;
    }

    long end(int i) {
      return i + 1 < index.length ? offset[i + 1] : end;
    }
  }

  /**
   * The leaves of a file of {@code size} bytes whose rows are {@code parts}' in order, the
   * first of them the dataset's row {@code before}, on line {@code firstLine}.
   */
  static Leaves leaves(List<CsvRangeParse.Parsed> parts, long before, long firstLine,
      long size) {
    long rows = 0;
    for (CsvRangeParse.Parsed p : parts) {
      rows += p.rows();
    }
    int leaf = CsvManifest.LEAF_ROWS;
    long first = before / leaf;
    int n = (int) ((before + rows - 1) / leaf - first + 1);
    long[] index = new long[n];
    long[] offset = new long[n];
    long[] line = new long[n];
    int i = 0;
    long global = before;
    long lineNo = firstLine;
    for (CsvRangeParse.Parsed p : parts) {
      // The range's rows that begin a leaf: the file's first row, then every aligned one.
      int r = global == before ? 0 : (int) Math.floorMod(-global, (long) leaf);
      for (; r < p.rows(); r = global + r == before ? (int) (leaf - before % leaf) : r + leaf) {
        index[i] = (global + r) / leaf;
        offset[i] = p.from() + p.offsets()[r];
        line[i] = p.line(lineNo, r);
        i++;
      }
      global += p.rows();
      lineNo += p.lines();
    }
    if (i != n) {
      throw new IllegalStateException(i + " leaves, expected " + n);
    }
    return new Leaves(index, offset, line, size);
  }

  /**
   * The nodes of leaves {@code [a, b)}, folded up to {@code level} as {@link PieceTree#push}
   * folds them ({@code a} begins a piece, or the file); null if the file ended early (it
   * changed) or {@code stop} was set.
   */
  static List<PieceTree.Node> hash(FileChannel ch, Leaves leaves, int a, int b, int level,
      AtomicBoolean stop) throws IOException {
    List<PieceTree.Node> nodes = new ArrayList<>();
    MessageDigest sha = Hashing.sha256();
    long groupEnd = leaves.end(b - 1);
    long pos = leaves.offset()[a];
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(1, groupEnd - pos)));
    byte[] bytes = buf.array();
    int i = a;
    long leafEnd = leaves.end(i);
    while (i < b) {
      if (stop.get()) {
        return null;
      }
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), groupEnd - pos));
      while (buf.hasRemaining()) {
        if (ch.read(buf, pos + buf.position()) < 0) {
          return null;
        }
      }
      int got = buf.position();
      int p = 0;
      while (p < got) {
        int n = (int) Math.min(got - p, leafEnd - (pos + p));
        sha.update(bytes, p, n);
        p += n;
        if (pos + p == leafEnd) {
          // digest() resets the digest for the next leaf.
          PieceTree.push(nodes, new PieceTree.Node(0, leaves.index()[i], sha.digest(),
              leaves.offset()[i], leaves.line()[i]), level);
          i++;
          if (i == b) {
            break;
          }
          leafEnd = leaves.end(i);
        }
      }
      pos += got;
    }
    return nodes;
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
      while (at < n && leaves.index()[at] % pieceLeaves != 0) {
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
