package dev.tapetrain.data;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Where every piece of a CSV dataset starts and what its bytes hash to, so that a worker reads
 * and verifies only the pieces that hold its chunks. A piece is the rows of one aligned block of
 * {@link #pieceRows()} rows of the dataset within one file; the piece size is the smallest power
 * of two, at least {@link #LEAF_ROWS}, that keeps the dataset at {@link #MAX_PIECES} blocks or
 * fewer — exactly the default chunk size, so with the default {@code --chunk-size} a piece is a
 * chunk (or a chunk's part in one file).
 *
 * <p>Per file: its size, where the rows start (the header and the blank lines before the first
 * row are one more piece, with its own SHA-256), and per piece its first row's byte offset and
 * line number and its digest ({@link PieceTree}). It travels as the {@code manifest} setting of
 * the dataset's source (Base64 of protobuf varints and raw digests, offsets and lines
 * delta-encoded: about 37 bytes a piece, 38 KB for 1M rows in 977 pieces), so it is part of the
 * run's numbers and of every shard assignment.
 *
 * @param level the pieces' level in the {@link PieceTree}: a piece is {@code LEAF_ROWS << level}
 *              rows
 * @param files one entry per file of the dataset, in order
 */
record CsvManifest(int level, List<FileEntry> files) {

  /** Rows per leaf of the piece tree. */
  static final int LEAF_ROWS = 64;
  /** The most blocks of rows the dataset is cut into (pieces: these plus one per file). */
  static final int MAX_PIECES = 1024;
  /** The source setting that holds the manifest. */
  static final String SETTING = "manifest";
  private static final int VERSION = 1;

  /**
   * One piece of a file.
   *
   * @param offset the byte offset of its first row
   * @param line   the line number of its first row (1-based, for messages)
   * @param digest its digest ({@link PieceTree})
   */
  record Piece(long offset, long line, byte[] digest) {}

  /**
   * One file.
   *
   * @param size         its size in bytes
   * @param headerEnd    where its first data row starts
   * @param headerDigest the SHA-256 of bytes {@code [0, headerEnd)}
   * @param pieces       its pieces in order
   */
  record FileEntry(long size, long headerEnd, byte[] headerDigest, List<Piece> pieces) {

    /** Where piece {@code i} ends: the next one's offset, or the file's end. */
    long end(int i) {
      return i + 1 < pieces.size() ? pieces.get(i + 1).offset() : size;
    }
  }

  /** Rows per piece (the first and last piece of a file may hold fewer). */
  long pieceRows() {
    return (long) LEAF_ROWS << level;
  }

  /** The manifest of {@code source}, or null if it has none (a run recorded before them). */
  static CsvManifest of(DatasetSpec.Source source) {
    String text = source.setting(SETTING);
    return text == null ? null : decode(text);
  }

  /** The Base64 text of the manifest. */
  String encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeUInt32NoTag(VERSION);
      out.writeUInt32NoTag(level);
      out.writeUInt32NoTag(files.size());
      for (FileEntry f : files) {
        out.writeUInt64NoTag(f.size());
        out.writeUInt64NoTag(f.headerEnd());
        out.writeRawBytes(f.headerDigest());
        out.writeUInt32NoTag(f.pieces().size());
        long offset = f.headerEnd();
        long line = 0;
        for (Piece p : f.pieces()) {
          out.writeUInt64NoTag(p.offset() - offset);
          out.writeUInt64NoTag(p.line() - line);
          out.writeRawBytes(p.digest());
          offset = p.offset();
          line = p.line();
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return Base64.getEncoder().withoutPadding().encodeToString(bytes.toByteArray());
  }

  /**
   * Reads {@link #encode}'s text.
   *
   * @throws DataException if it is damaged
   */
  static CsvManifest decode(String text) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(Base64.getDecoder().decode(text));
      int version = in.readUInt32();
      if (version != VERSION) {
        throw new DataException("the data's manifest is of version " + version + ", this "
            + "program reads version " + VERSION);
      }
      int level = in.readUInt32();
      int count = in.readUInt32();
      List<FileEntry> files = new ArrayList<>();
      for (int k = 0; k < count; k++) {
        long size = in.readUInt64();
        long headerEnd = in.readUInt64();
        byte[] header = in.readRawBytes(32);
        int pieces = in.readUInt32();
        List<Piece> list = new ArrayList<>();
        long offset = headerEnd;
        long line = 0;
        for (int i = 0; i < pieces; i++) {
          offset += in.readUInt64();
          line += in.readUInt64();
          list.add(new Piece(offset, line, in.readRawBytes(32)));
        }
        files.add(new FileEntry(size, headerEnd, header, List.copyOf(list)));
      }
      return new CsvManifest(level, List.copyOf(files));
    } catch (IOException | IllegalArgumentException e) {
      throw new DataException("the data's manifest is damaged: " + e.getMessage());
    }
  }

  /** The SHA-256 (hex) of the manifest, for config.json. */
  String sha256() {
    return Hashing.sha256Hex(Base64.getDecoder().decode(encode()));
  }

  /**
   * Builds the manifest while the scan reads the files in order: {@link #startFile}, then per
   * line {@link #line} (blank ones too), then {@link #endFile}; {@link #build} at the end.
   */
  static final class Builder {

    private int level;
    private long rows;
    private final List<List<PieceTree.Node>> done = new ArrayList<>();
    private final List<long[]> sizes = new ArrayList<>();
    private final List<byte[]> headers = new ArrayList<>();
    private List<PieceTree.Node> nodes;
    private java.security.MessageDigest region;
    private boolean inHeader;
    private long leaf = -1;
    private long leafOffset;
    private long leafLine;
    private long headerEnd;

    /** A new file begins (at its first byte, which belongs to its header). */
    void startFile() {
      nodes = new ArrayList<>();
      region = Hashing.sha256();
      inHeader = true;
      leaf = -1;
    }

    /**
     * One line of the file, header and blank lines included.
     *
     * @param row    true for a data row (the next row of the dataset)
     * @param offset where the line starts
     * @param lineNo its line number
     */
    void line(boolean row, long offset, long lineNo, byte[] bytes, int from, int to) {
      if (row) {
        long q = rows / LEAF_ROWS;
        if (inHeader) {
          headerEnd = offset;
          headers.add(region.digest());
          inHeader = false;
          startLeaf(q, offset, lineNo);
        } else if (q != leaf) {
          endLeaf();
          startLeaf(q, offset, lineNo);
        }
        rows++;
        while ((rows + pieceRows() - 1) / pieceRows() > MAX_PIECES) {
          grow();
        }
      }
      region.update(bytes, from, to - from);
    }

    /** The file ended, {@code size} bytes long. */
    void endFile(long size) {
      if (inHeader) {
        throw new IllegalStateException("a file without rows");
      }
      endLeaf();
      PieceTree.finish(nodes, level);
      done.add(nodes);
      sizes.add(new long[] {size, headerEnd});
      nodes = null;
    }

    /** The dataset's rows in the files added so far. */
    long rows() {
      return rows;
    }

    /** The pieces' level once {@code more} rows are added: what {@link #addFile} folds to. */
    int levelFor(long more) {
      int l = level;
      long total = rows + more;
      while ((total + ((long) LEAF_ROWS << l) - 1) / ((long) LEAF_ROWS << l) > MAX_PIECES) {
        l++;
      }
      return l;
    }

    /**
     * Adds a whole file scanned elsewhere (in parallel ranges): what {@link #startFile}, a
     * {@link #line} per line and {@link #endFile} would have built.
     *
     * @param nodes its pieces' nodes in row order, folded up to {@link #levelFor}{@code
     *              (fileRows)} as {@link PieceTree#push} folds them
     */
    void addFile(long size, long headerEnd, byte[] headerDigest, long fileRows,
        List<PieceTree.Node> nodes) {
      if (this.nodes != null || fileRows < 1) {
        throw new IllegalStateException("addFile inside a file, or a file without rows");
      }
      int want = levelFor(fileRows);
      this.nodes = new ArrayList<>();
      while (level < want) {
        grow();
      }
      rows += fileRows;
      List<PieceTree.Node> mine = new ArrayList<>(nodes);
      PieceTree.finish(mine, level);
      headers.add(headerDigest);
      done.add(mine);
      sizes.add(new long[] {size, headerEnd});
      this.nodes = null;
    }

    /** The manifest of every file ended so far. */
    CsvManifest build() {
      List<FileEntry> files = new ArrayList<>();
      for (int k = 0; k < done.size(); k++) {
        List<Piece> pieces = new ArrayList<>();
        for (PieceTree.Node n : done.get(k)) {
          pieces.add(new Piece(n.offset(), n.line(), n.digest()));
        }
        files.add(new FileEntry(sizes.get(k)[0], sizes.get(k)[1], headers.get(k),
            List.copyOf(pieces)));
      }
      return new CsvManifest(level, List.copyOf(files));
    }

    private long pieceRows() {
      return (long) LEAF_ROWS << level;
    }

    private void startLeaf(long q, long offset, long lineNo) {
      leaf = q;
      leafOffset = offset;
      leafLine = lineNo;
      // region goes on: the digest() that ended the header or the last leaf reset it.
    }

    private void endLeaf() {
      PieceTree.push(nodes, new PieceTree.Node(0, leaf, region.digest(), leafOffset, leafLine),
          level);
    }

    /** Pieces of twice the rows: every list is folded one level up. */
    private void grow() {
      level++;
      for (List<PieceTree.Node> file : done) {
        PieceTree.finish(file, level);
      }
      List<PieceTree.Node> now = PieceTree.refold(nodes, level);
      nodes.clear();
      nodes.addAll(now);
    }
  }
}
