package dev.tapetrain.data;

import dev.tapetrain.protocol.Hashing;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * How a piece of a CSV file (the rows of one aligned block of {@code LEAF_ROWS << level} rows of
 * the dataset, within one file) is hashed, so that the scan can choose the piece size only once
 * it knows the row count and a worker can check one piece without reading the others.
 *
 * <p>A leaf is the bytes of {@link CsvManifest#LEAF_ROWS} rows (aligned on the dataset's row
 * index; blank lines go with the row before them): its digest is their SHA-256. A node at level
 * {@code l + 1} and index {@code i} is {@code SHA-256(0x01 ‖ node(l, 2i) ‖ node(l, 2i + 1))}, or
 * the one child that lies in the file when the other does not (a file starting or ending inside
 * the node). A piece's digest is its node at the manifest's level. Nodes are kept in row order;
 * {@link #push} folds the tail as far as it can, {@link #finish} folds the rest at a file's end.
 */
final class PieceTree {

  private PieceTree() {}

  /**
   * A node of the tree: its level and index, its digest, and where its first row starts (byte
   * offset and line number in the file).
   */
  record Node(int level, long index, byte[] digest, long offset, long line) {}

  /** Adds {@code node} at the end of {@code nodes} and folds up to {@code maxLevel}. */
  static void push(List<Node> nodes, Node node, int maxLevel) {
    nodes.add(node);
    while (true) {
      int n = nodes.size();
      Node last = nodes.get(n - 1);
      if (last.level() >= maxLevel || (last.index() & 1) == 0) {
        return;
      }
      if (n == 1) {
        // The file starts inside the parent: its left half is another file's.
        nodes.set(0, promote(last));
        continue;
      }
      Node prev = nodes.get(n - 2);
      if (prev.level() != last.level() || prev.index() != last.index() - 1) {
        throw new IllegalStateException("piece tree out of order: " + prev + " then " + last);
      }
      nodes.remove(n - 1);
      nodes.set(n - 2, combine(prev, last));
    }
  }

  /** Folds the nodes of a file that has ended up to {@code maxLevel}. */
  static void finish(List<Node> nodes, int maxLevel) {
    List<Node> out = refold(nodes, maxLevel);
    // The file ends inside these nodes' parents: promote from the right.
    while (true) {
      int n = out.size();
      Node last = out.get(n - 1);
      if (last.level() >= maxLevel) {
        if (n == 1 || out.get(n - 2).level() >= maxLevel) {
          break;
        }
        throw new IllegalStateException("piece tree out of order: " + out);
      }
      out.remove(n - 1);
      push(out, promote(last), maxLevel);
    }
    nodes.clear();
    nodes.addAll(out);
  }

  /** The nodes folded anew up to {@code maxLevel} (after the level grew). */
  static List<Node> refold(List<Node> nodes, int maxLevel) {
    List<Node> out = new ArrayList<>(nodes.size());
    for (Node node : nodes) {
      push(out, node, maxLevel);
    }
    return out;
  }

  private static Node promote(Node node) {
    return new Node(node.level() + 1, node.index() >> 1, node.digest(), node.offset(),
        node.line());
  }

  /** A digest per thread: a new one per node was a few percent of a scan's time. */
  private static final ThreadLocal<MessageDigest> SHA = ThreadLocal.withInitial(Hashing::sha256);

  private static Node combine(Node left, Node right) {
    MessageDigest sha = SHA.get();
    sha.reset();
    sha.update((byte) 1);
    sha.update(left.digest());
    sha.update(right.digest());
    return new Node(left.level() + 1, left.index() >> 1, sha.digest(), left.offset(),
        left.line());
  }
}
