package dev.tapetrain.data;

import dev.tapetrain.protocol.Hashing;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A worker's read of its rows of one CSV file by the {@link CsvManifest}: the header, then only
 * the pieces that hold wanted rows, each read from its byte offset and checked against its digest
 * before its values count. A copy that differs from the coordinator's is refused by name, with
 * the rows and line of the first piece that differs.
 */
final class CsvPieceReader {

  /** Bytes read by every call in this JVM: a test's measure of what a worker reads. */
  static final LongAdder BYTES_READ = new LongAdder();

  private CsvPieceReader() {}

  /**
   * Reads the {@code parts} (in row order, rows counted in the file) of {@code path}.
   *
   * @param firstRow the file's first row, counted over the dataset
   * @param rows     the file's rows
   * @return the bytes read
   * @throws DataException if the file cannot be read or is not the coordinator's copy
   */
  static long read(Path path, CsvManifest manifest, CsvManifest.FileEntry entry, long firstRow,
      long rows, List<String> features, String target, List<FileFormat.Part> parts) {
    long g = manifest.pieceRows();
    long firstPiece = firstRow / g;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      if (ch.size() != entry.size()) {
        throw differs(path, ch.size() + " bytes here, " + entry.size() + " bytes there");
      }
      long read = 0;
      CsvBytes head = new CsvBytes(ch, path, 0, entry.headerEnd());
      CsvHeader header = header(head, path, entry, features, target);
      read += head.bytesRead();
      for (long[] run : runs(parts, firstRow, g, firstPiece)) {
        int i0 = (int) run[0];
        int i1 = (int) run[1];
        CsvBytes lines = new CsvBytes(ch, path, entry.pieces().get(i0).offset(), entry.end(i1));
        long r = Math.max((firstPiece + i0) * g - firstRow, 0);
        readRun(lines, path, manifest, entry, i0, r, firstRow, header, parts,
            features.size());
        read += lines.bytesRead();
      }
      BYTES_READ.add(read);
      return read;
    } catch (NoSuchFileException e) {
      throw new DataException(path + ": no such file");
    } catch (AccessDeniedException e) {
      throw new DataException(path + ": permission denied");
    } catch (IOException e) {
      throw new DataException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static CsvHeader header(CsvBytes lines, Path path, CsvManifest.FileEntry entry,
      List<String> features, String target) throws IOException {
    MessageDigest sha = Hashing.sha256();
    String found = null;
    long at = 0;
    long lineNo = 0;
    while (lines.next()) {
      lineNo++;
      sha.update(lines.array(), lines.from(), lines.to() - lines.from());
      String text = lines.text();
      if (lineNo == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (found == null && !text.isBlank()) {
        found = text;
        at = lineNo;
      }
    }
    byte[] digest = sha.digest();
    if (found == null || !Arrays.equals(digest, entry.headerDigest())) {
      throw differs(path, "its header: SHA-256 " + hex(digest) + " here, "
          + hex(entry.headerDigest()) + " there");
    }
    return CsvHeader.parse(found, path, at, features, target);
  }

  /** Runs of consecutive pieces {first, last} (indices in the file) holding the parts' rows. */
  private static List<long[]> runs(List<FileFormat.Part> parts, long firstRow, long g,
      long firstPiece) {
    List<long[]> runs = new ArrayList<>();
    for (FileFormat.Part p : parts) {
      long a = (firstRow + p.from()) / g - firstPiece;
      long b = (firstRow + p.to() - 1) / g - firstPiece;
      long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && a <= last[1] + 1) {
        last[1] = Math.max(last[1], b);
      } else {
        runs.add(new long[] {a, b});
      }
    }
    return runs;
  }

  private static void readRun(CsvBytes lines, Path path, CsvManifest manifest,
      CsvManifest.FileEntry entry, int piece, long row, long firstRow, CsvHeader header,
      List<FileFormat.Part> parts, int features) throws IOException {
    long g = manifest.pieceRows();
    long lineNo = entry.pieces().get(piece).line() - 1;
    long pieceIndex = -1;
    List<PieceTree.Node> nodes = new ArrayList<>();
    MessageDigest leafSha = null;
    long leaf = -1;
    long leafOffset = 0;
    long leafLine = 0;
    long pieceFirst = row;
    int next = 0;
    double[] x = new double[features];
    CsvLine cut = new CsvLine();
    CsvStrictRow strict = new CsvStrictRow(header);
    CsvByteRow fast = new CsvByteRow();
    while (true) {
      boolean plain = lines.nextRow(strict, x);
      if (!plain && !lines.next()) {
        break;
      }
      lineNo++;
      boolean parsed = plain
          || fast.parse(lines.array(), lines.from(), lines.textEnd(), header, x);
      String text = parsed ? null : lines.text();
      if (parsed || !text.isBlank()) {
        long global = firstRow + row;
        if (global / CsvManifest.LEAF_ROWS != leaf) {
          if (leafSha != null) {
            PieceTree.push(nodes, new PieceTree.Node(0, leaf, leafSha.digest(), leafOffset,
                leafLine), manifest.level());
          }
          if (global / g != pieceIndex) {
            if (pieceIndex >= 0) {
              check(path, entry, piece++, nodes, manifest.level(), pieceFirst, row);
            }
            pieceIndex = global / g;
            pieceFirst = row;
          }
          leaf = global / CsvManifest.LEAF_ROWS;
          leafSha = leafSha == null ? Hashing.sha256() : leafSha; // digest() reset it
          leafOffset = lines.start();
          leafLine = lineNo;
        }
        while (next < parts.size() && parts.get(next).to() <= row) {
          next++;
        }
        if (next < parts.size() && parts.get(next).from() <= row) {
          FileFormat.Part p = parts.get(next);
          double y = plain ? strict.target()
              : parsed ? fast.target() : CsvScan.row(cut, text, path, lineNo, header, x);
          int i = p.at() + (int) (row - p.from());
          for (int f = 0; f < features; f++) {
            p.x()[f][i] = x[f];
          }
          p.y()[i] = y;
        }
        row++;
      }
      if (leafSha != null) {
        leafSha.update(lines.array(), lines.from(), lines.to() - lines.from());
      }
    }
    if (leafSha != null) {
      PieceTree.push(nodes, new PieceTree.Node(0, leaf, leafSha.digest(), leafOffset,
          leafLine), manifest.level());
    }
    check(path, entry, piece, nodes, manifest.level(), pieceFirst, row);
  }

  private static void check(Path path, CsvManifest.FileEntry entry, int piece,
      List<PieceTree.Node> nodes, int level, long from, long to) {
    CsvManifest.Piece want = entry.pieces().get(piece);
    byte[] got = new byte[0];
    if (!nodes.isEmpty()) {
      PieceTree.finish(nodes, level);
      got = nodes.size() == 1 ? nodes.get(0).digest() : got;
    }
    if (!Arrays.equals(got, want.digest())) {
      throw differs(path, "rows " + from + "-" + (to - 1) + " from line " + want.line()
          + ": SHA-256 " + hex(got) + " here, " + hex(want.digest()) + " there");
    }
    nodes.clear();
  }

  private static DataException differs(Path path, String how) {
    return new DataException(path + ": this copy differs from the coordinator's (" + how + ")");
  }

  private static String hex(byte[] digest) {
    String h = HexFormat.of().formatHex(digest);
    return h.length() > 12 ? h.substring(0, 12) + "…" : h;
  }
}
