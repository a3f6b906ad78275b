package dev.tapetrain.data;

import dev.tapetrain.protocol.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleFunction;

/**
 * The scan of one large CSV file on several threads, by byte ranges, giving exactly what the
 * one-thread {@link CsvScan} gives for a valid file: rows, largest target and the file's part
 * of the {@link CsvManifest}.
 *
 * <p>First, on the caller's thread, the header (the bytes before the first data row). Then the
 * body is cut at line ends into ranges whose rows are counted in parallel; the count fixes the
 * manifest's piece level, so the body can be cut again where pieces begin, and each range
 * parses, checks and hashes its pieces in parallel (a piece never spans two ranges, so its
 * digest is the one-thread scan's). This path only accepts: at the first sign of a problem — a
 * bad line, a file that changed — it answers null and the caller scans on one thread, which
 * names the first problem by line exactly as always.
 */
final class CsvRangeScan {

  /** Rows between the marks a count leaves, so a piece's start is found by a short walk. */
  private static final int MARK_EVERY = 1024;

  /** Files this path scanned to the end (not passed back to the one-thread scan): for tests. */
  static final java.util.concurrent.atomic.LongAdder SCANNED =
      new java.util.concurrent.atomic.LongAdder();

  private CsvRangeScan() {}

  /** The header: where the first data row starts, the bytes' SHA-256, the parsed header. */
  private record Head(long rowsStart, long line, byte[] digest, CsvHeader header) {}

  /** One range's count: rows, lines, and every {@link #MARK_EVERY}th row's offset and line. */
  private record Count(long rows, long lines, long[] markOffsets, long[] markLines) {}

  /** One range's scan: its pieces' nodes, rows, lines, largest target. */
  private record Part(List<PieceTree.Node> nodes, long rows, long lines, double max) {}

  /**
   * Scans {@code path} (open as {@code ch}, {@code size} bytes) on {@code threads} threads of
   * {@code pool} and adds it to {@code manifest}.
   *
   * @return rows and largest target, or null if the one-thread scan must look (a problem, or
   *     a file without rows or line ends to cut at); the manifest is then untouched
   */
  static Result scan(Path path, FileChannel ch, long size, List<String> features, String target,
      DoubleFunction<String> targetCheck, CsvManifest.Builder manifest, ExecutorService pool,
      int threads) throws IOException, InterruptedException {
    Head head;
    try {
      head = head(ch, path, size, features, target);
    } catch (DataException e) {
      return null;
    }
    if (head == null) {
      return null;
    }
    List<long[]> cuts = cuts(ch, head.rowsStart(), size, threads);
    // Tasks stop by this flag, never by an interrupt: an interrupt during a read would close
    // the channel, which the one-thread scan goes on to use.
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<Count>> counting = new ArrayList<>();
    for (long[] r : cuts) {
      counting.add(pool.submit(() -> count(ch, path, r[0], r[1], stop)));
    }
    List<Count> counts = new ArrayList<>();
    long fileRows = 0;
    for (Future<Count> f : counting) {
      Count c = get(f);
      if (c == null) {
        return abandon(stop, counting);
      }
      counts.add(c);
      fileRows += c.rows();
    }
    if (fileRows == 0) {
      return null;
    }
    // The parsed values, for workers of this JVM, if a scan may keep them (ScanHandoff).
    long need = 8 * fileRows * (features.size() + 1);
    ScannedColumns values = fileRows < Integer.MAX_VALUE - 8 && need <= ScanHandoff.room()
        ? ScannedColumns.of(features.size(), (int) fileRows) : null;
    int level = manifest.levelFor(fileRows);
    long g = (long) CsvManifest.LEAF_ROWS << level;
    long before = manifest.rows();
    // Where ranges begin: a piece's first row near each equal share; offset and line of each.
    List<long[]> starts = new ArrayList<>();
    starts.add(new long[] {0, head.rowsStart(), head.line()});
    for (int j = 1; j < threads; j++) {
      long global = (before + fileRows * j / threads + g - 1) / g * g;
      long row = global - before;
      if (row <= starts.get(starts.size() - 1)[0] || row >= fileRows) {
        continue;
      }
      try {
        starts.add(locate(ch, path, cuts, counts, head.line(), row));
      } catch (DataException e) {
        return null; // changed since it was counted
      }
    }
    List<Future<Part>> scanning = new ArrayList<>();
    for (int j = 0; j < starts.size(); j++) {
      long[] s = starts.get(j);
      long end = j + 1 < starts.size() ? starts.get(j + 1)[1] : size;
      scanning.add(pool.submit(() -> part(ch, path, s[1], end, before, s[0], s[2], level,
          head.header(), features.size(), targetCheck, stop, values)));
    }
    List<PieceTree.Node> nodes = new ArrayList<>();
    long rows = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < scanning.size(); j++) {
      Part p = get(scanning.get(j));
      long expect = (j + 1 < starts.size() ? starts.get(j + 1)[0] : fileRows) - starts.get(j)[0];
      if (p == null || p.rows() != expect) {
        return abandon(stop, scanning);
      }
      nodes.addAll(p.nodes());
      rows += p.rows();
      max = Math.max(max, p.max());
    }
    if (ch.size() != size) {
      return null;
    }
    manifest.addFile(size, head.rowsStart(), head.digest(), rows, nodes);
    SCANNED.increment();
    return new Result(rows, max, values);
  }

  /**
   * What the scan found.
   *
   * @param values every row's selected values as parsed, or null if none were kept
   */
  record Result(long rows, double max, ScannedColumns values) {}

  /** Stops the other tasks and waits for them, so none reads on: the answer is null. */
  private static Result abandon(AtomicBoolean stop, List<? extends Future<?>> tasks)
      throws InterruptedException {
    stop.set(true);
    for (Future<?> f : tasks) {
      try {
        f.get();
      } catch (ExecutionException e) {
        // already given up: the one-thread scan will say what is wrong
      }
    }
    return null;
  }

  private static <T> T get(Future<T> f) throws InterruptedException, IOException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DataException) {
        return null;
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The header lines, as {@link CsvScan} reads them; null if no data row follows. */
  private static Head head(FileChannel ch, Path path, long size, List<String> features,
      String target) throws IOException {
    CsvBytes lines = new CsvBytes(ch, path, 0, size);
    MessageDigest sha = Hashing.sha256();
    CsvHeader header = null;
    long lineNo = 0;
    while (lines.next()) {
      lineNo++;
      String text = lines.text();
      if (lineNo == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (!text.isBlank()) {
        if (header != null) {
          return new Head(lines.start(), lineNo, sha.digest(), header);
        }
        header = CsvHeader.parse(text, path, lineNo, features, target);
      }
      sha.update(lines.array(), lines.from(), lines.to() - lines.from());
    }
    return null;
  }

  /** About {@code n} ranges of {@code [from, to)}, each ending just after a {@code \n}. */
  private static List<long[]> cuts(FileChannel ch, long from, long to, int n)
      throws IOException {
    List<long[]> out = new ArrayList<>();
    long a = from;
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    for (int j = 1; j < n && a < to; j++) {
      long at = Math.max(a, from + (to - from) * j / n);
      long cut = -1;
      while (cut < 0 && at < to) {
        buf.clear();
        int got = ch.read(buf, at);
        if (got <= 0) {
          break;
        }
        for (int i = 0; i < got; i++) {
          if (buf.get(i) == '\n') {
            cut = at + i + 1;
            break;
          }
        }
        at += got;
      }
      if (cut < 0 || cut >= to) {
        break;
      }
      out.add(new long[] {a, cut});
      a = cut;
    }
    out.add(new long[] {a, to});
    return out;
  }

  /** Counts the rows (lines not blank) and lines of {@code [from, to)}. */
  private static Count count(FileChannel ch, Path path, long from, long to, AtomicBoolean stop)
      throws IOException {
    CsvBytes lines = new CsvBytes(ch, path, from, to);
    long rows = 0;
    long lineNo = 0;
    List<long[]> marks = new ArrayList<>();
    while (lines.next()) {
      if ((lineNo & 0xfff) == 0 && stop.get()) {
        return null;
      }
      if (!blank(lines)) {
        if (rows % MARK_EVERY == 0) {
          marks.add(new long[] {lines.start(), lineNo});
        }
        rows++;
      }
      lineNo++;
    }
    long[] offsets = new long[marks.size()];
    long[] lineNos = new long[marks.size()];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = marks.get(i)[0];
      lineNos[i] = marks.get(i)[1];
    }
    return new Count(rows, lineNo, offsets, lineNos);
  }

  /** Whether the current line is blank ({@link String#isBlank} of its text). */
  private static boolean blank(CsvBytes lines) {
    byte[] b = lines.array();
    boolean ascii = true;
    for (int i = lines.from(), end = lines.textEnd(); i < end; i++) {
      int c = b[i];
      if (c > ' ' && c < 0x7f) {
        return false;
      }
      ascii &= c >= 0;
    }
    // Control bytes, or UTF-8 that may be a whitespace character: decide as the text does.
    return ascii ? new String(b, lines.from(), lines.textEnd() - lines.from(),
        StandardCharsets.ISO_8859_1).isBlank() : lines.text().isBlank();
  }

  /**
   * The offset and line number of the body's row {@code row}, by the counts' marks.
   *
   * @return {row, offset, line}
   */
  private static long[] locate(FileChannel ch, Path path, List<long[]> cuts, List<Count> counts,
      long firstLine, long row) throws IOException {
    long rowsBefore = 0;
    long linesBefore = firstLine;
    for (int k = 0; k < counts.size(); k++) {
      Count c = counts.get(k);
      if (row < rowsBefore + c.rows()) {
        int m = (int) ((row - rowsBefore) / MARK_EVERY);
        long r = rowsBefore + (long) m * MARK_EVERY;
        long lineNo = linesBefore + c.markLines()[m];
        CsvBytes lines = new CsvBytes(ch, path, c.markOffsets()[m], cuts.get(k)[1]);
        while (lines.next()) {
          if (!blank(lines)) {
            if (r == row) {
              return new long[] {row, lines.start(), lineNo};
            }
            r++;
          }
          lineNo++;
        }
        throw new DataException(path + ": changed while it was read");
      }
      rowsBefore += c.rows();
      linesBefore += c.lines();
    }
    throw new IllegalStateException("row " + row + " past the counted rows");
  }

  /**
   * Parses, checks and hashes the rows of {@code [from, to)}, whose first row is the file's row
   * {@code first} (the dataset's {@code before + first}) on line {@code firstLine}; the values
   * go to {@code values} (if not null) at their rows in the file.
   */
  private static Part part(FileChannel ch, Path path, long from, long to, long before,
      long first, long firstLine, int level, CsvHeader header, int features,
      DoubleFunction<String> targetCheck, AtomicBoolean stop, ScannedColumns values)
      throws IOException {
    long global = before + first;
    CsvBytes lines = new CsvBytes(ch, path, from, to);
    CsvStrictRow strict = new CsvStrictRow(header);
    CsvByteRow fast = new CsvByteRow();
    CsvLine cut = new CsvLine();
    double[] x = new double[features];
    List<PieceTree.Node> nodes = new ArrayList<>();
    MessageDigest leafSha = null;
    long leaf = -1;
    long leafOffset = 0;
    long leafLine = 0;
    long rows = 0;
    long lineNo = firstLine - 1;
    double max = Double.NEGATIVE_INFINITY;
    while (true) {
      boolean plain = lines.nextRow(strict, x);
      if (!plain && !lines.next()) {
        break;
      }
      if ((lineNo & 0xfff) == 0 && stop.get()) {
        return null;
      }
      lineNo++;
      double y;
      boolean row = true;
      if (plain) {
        y = strict.target();
      } else if (fast.parse(lines.array(), lines.from(), lines.textEnd(), header, x)) {
        y = fast.target();
      } else {
        String text = lines.text();
        row = !text.isBlank();
        y = row ? CsvScan.row(cut, text, path, lineNo, header, x) : 0;
      }
      if (row) {
        if (targetCheck.apply(y) != null) {
          stop.set(true);
          return null;
        }
        max = Math.max(max, y);
        if (values != null) {
          values.set((int) (first + rows), x, y);
        }
        long q = (global + rows) / CsvManifest.LEAF_ROWS;
        if (q != leaf) {
          if (leafSha != null) {
            PieceTree.push(nodes, new PieceTree.Node(0, leaf, leafSha.digest(), leafOffset,
                leafLine), level);
          }
          leaf = q;
          // One digest for every leaf: digest() above left it reset (getInstance per leaf
          // was a few percent of the scan).
          leafSha = leafSha == null ? Hashing.sha256() : leafSha;
          leafOffset = lines.start();
          leafLine = lineNo;
        }
        rows++;
      }
      if (leafSha == null) {
        return null; // a range starts at a row: a blank line first means the file changed
      }
      leafSha.update(lines.array(), lines.from(), lines.to() - lines.from());
    }
    if (leafSha != null) {
      PieceTree.push(nodes, new PieceTree.Node(0, leaf, leafSha.digest(), leafOffset, leafLine),
          level);
    }
    return new Part(nodes, rows, lineNo - firstLine + 1, max);
  }
}
