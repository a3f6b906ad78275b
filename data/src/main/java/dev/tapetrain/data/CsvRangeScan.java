package dev.tapetrain.data;

import dev.tapetrain.protocol.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleFunction;

/**
 * The scan of one large CSV file on several threads, by byte ranges, giving exactly what the
 * one-thread {@link CsvScan} gives for a valid file: rows, largest target and the file's part
 * of the {@link CsvManifest}.
 *
 * <p>First, on the caller's thread, the header (the bytes before the first data row). Then the
 * body is cut at line ends into ranges that are parsed and checked in parallel, each noting
 * where its rows start and keeping its values in blocks of its own ({@link CsvRangeParse}): no
 * range needs to know at which row it starts, so nothing counts the rows first. Once every
 * range's rows are known, the manifest's leaves are cut at the dataset's rows and hashed by
 * groups of whole pieces in parallel ({@link CsvLeafHash}: the same bytes, so the same digests
 * as the one-thread scan's; a checksum of the bytes each pass read tells that they are the
 * same bytes, so the manifest certifies the values parsed). This path only accepts: at the first sign of a problem — a bad
 * line, a file that changed — it answers null and the caller scans on one thread, which names
 * the first problem by line exactly as always.
 */
final class CsvRangeScan {

  /** Files this path scanned to the end (not passed back to the one-thread scan): for tests. */
  static final java.util.concurrent.atomic.LongAdder SCANNED =
      new java.util.concurrent.atomic.LongAdder();

  /** The longest range: a row's offset in its range is an {@code int}. */
  static final long MAX_RANGE = 1L << 30;

  private CsvRangeScan() {}

  /** The header: where the first data row starts, the bytes' SHA-256, the parsed header. */
  private record Head(long rowsStart, long line, byte[] digest, CsvHeader header) {}

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
    long body = size - head.rowsStart();
    int ranges = (int) Math.max(threads, (body + MAX_RANGE - 1) / MAX_RANGE);
    List<long[]> cuts = cuts(ch, head.rowsStart(), size, ranges);
    for (long[] r : cuts) {
      if (r[1] - r[0] > Integer.MAX_VALUE) {
        return null; // too few line ends to cut at
      }
    }
    // Tasks stop by this flag, never by an interrupt: an interrupt during a read would close
    // the channel, which the one-thread scan goes on to use.
    AtomicBoolean stop = new AtomicBoolean();
    // The parsed values, for workers of this JVM, if a scan may keep them (ScanHandoff).
    // Not when the rows will not fit at the body's first lines' mean length: a file far past
    // the room would otherwise fill it with blocks only to drop them.
    long room = ScanHandoff.room();
    AtomicLong budget = room > 0
        && 8 * estimateRows(ch, head.rowsStart(), size) * (features.size() + 1) <= room
        ? new AtomicLong(room) : null;
    List<Future<CsvRangeParse.Parsed>> parsing = new ArrayList<>();
    for (long[] r : cuts) {
      parsing.add(pool.submit(() -> CsvRangeParse.parse(ch, path, r[0], r[1], head.header(),
          features.size(), targetCheck, stop, budget)));
    }
    List<CsvRangeParse.Parsed> parts = new ArrayList<>();
    long fileRows = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (Future<CsvRangeParse.Parsed> f : parsing) {
      CsvRangeParse.Parsed p = get(f, stop);
      if (p == null) {
        return abandon(stop, parsing);
      }
      parts.add(p);
      fileRows += p.rows();
      max = Math.max(max, p.max());
    }
    if (fileRows == 0) {
      return null;
    }
    int level = manifest.levelFor(fileRows);
    long before = manifest.rows();
    CsvLeafHash.Leaves leaves = CsvLeafHash.leaves(path, parts, before, head.line(), size);
    int[] groups = CsvLeafHash.groups(leaves, threads, 1 << level);
    List<Future<CsvLeafHash.Group>> hashing = new ArrayList<>();
    for (int j = 0; j + 1 < groups.length; j++) {
      int a = groups[j];
      int b = groups[j + 1];
      hashing.add(pool.submit(() -> CsvLeafHash.hash(ch, leaves, a, b, level, stop)));
    }
    List<PieceTree.Node> nodes = new ArrayList<>();
    long hashed = 0;
    long hashedCrc = 0;
    for (Future<CsvLeafHash.Group> f : hashing) {
      CsvLeafHash.Group g = get(f, stop);
      if (g == null) {
        return abandon(stop, hashing);
      }
      nodes.addAll(g.nodes());
      hashedCrc = Crc32cCombine.combine(hashedCrc, g.crc(), g.bytes());
      hashed += g.bytes();
    }
    // The digests are of the bytes the second pass read, the values of those the first one
    // parsed: the same only if the file did not change between (else the one-thread scan
    // reads it again, or says it changed while it was read).
    long parsedCrc = 0;
    for (CsvRangeParse.Parsed p : parts) {
      parsedCrc = Crc32cCombine.combine(parsedCrc, p.crc(), p.to() - p.from());
    }
    if (hashed != size - head.rowsStart() || hashedCrc != parsedCrc || ch.size() != size) {
      return null;
    }
    manifest.addFile(size, head.rowsStart(), head.digest(), fileRows, nodes);
    SCANNED.increment();
    return new Result(fileRows, max, values(parts, fileRows));
  }

  /** The ranges' values as one file's, or null if a range kept none or there are too many. */
  private static ScannedColumns values(List<CsvRangeParse.Parsed> parts, long fileRows) {
    if (fileRows >= Integer.MAX_VALUE - 8) {
      return null;
    }
    List<double[][]> x = new ArrayList<>();
    List<double[]> y = new ArrayList<>();
    List<Integer> rows = new ArrayList<>();
    for (CsvRangeParse.Parsed p : parts) {
      if (p.values() == null) {
        return null;
      }
      x.addAll(p.values().x);
      y.addAll(p.values().y);
      rows.addAll(p.values().rows);
    }
    return ScannedColumns.ofBlocks(x, y, rows.stream().mapToInt(Integer::intValue).toArray());
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

  /**
   * A task's answer; null if it found a problem in the file. Anything else it threw is thrown
   * here, after {@code stop} is set so the other tasks read no further: an OutOfMemoryError as
   * itself (the command line says in one line what to do), any other error wrapped (the command
   * line gives an exception's message as its one line, but an error's stack trace).
   */
  private static <T> T get(Future<T> f, AtomicBoolean stop)
      throws InterruptedException, IOException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DataException) {
        return null;
      }
      stop.set(true);
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof OutOfMemoryError oom) {
        throw oom;
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

  /** The rows of {@code [from, to)} at the mean length of the lines in its first 64 KiB. */
  static long estimateRows(FileChannel ch, long from, long to) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 16, to - from));
    while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
      // reads on
    }
    int lines = 0;
    for (int i = 0; i < buf.position(); i++) {
      lines += buf.get(i) == '\n' ? 1 : 0;
    }
    return lines == 0 ? 1 : (long) ((double) (to - from) / buf.position() * lines);
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
}
