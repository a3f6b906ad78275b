package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the scan by ranges meets the rest: the checksums its two passes compare (cut anywhere,
 * in any number of pieces, of any length), random datasets of awkward files (the one-thread
 * scan's manifest on any thread count), files it must hand to the one-thread scan (a header
 * alone, no rows) so that the message is the one-thread scan's, and an error thrown in a range
 * task, which must reach the command line in a form it prints as one line.
 */
class CsvRangeScanEdgesTest {

  @TempDir
  Path dir;

  private static final List<String> F = List.of("x1", "x2");
  private static final DoubleFunction<String> ANY = new InputFormat.OrderFree(y -> null);

  private static long crc(byte[] b, int from, int to) {
    CRC32C c = new CRC32C();
    c.update(b, from, to - from);
    return c.getValue();
  }

  /** Random cuts into up to 40 pieces, combined in order, give CRC32C of the whole. */
  @Test
  void crcsOfRandomlyCutPiecesCombineAsTheWholesCrc() {
    SplittableRandom r = new SplittableRandom(13);
    for (int round = 0; round < 300; round++) {
      byte[] b = new byte[r.nextInt(1, 200_000)];
      r.nextBytes(b);
      long whole = crc(b, 0, b.length);
      int[] cuts = r.ints(r.nextInt(0, 40), 0, b.length + 1).sorted().toArray();
      long combined = 0;
      int at = 0;
      for (int k = 0; k <= cuts.length; k++) {
        int to = k < cuts.length ? cuts[k] : b.length;
        combined = Crc32cCombine.combine(combined, crc(b, at, to), to - at);
        at = to;
      }
      assertEquals(whole, combined, "round " + round + ", " + cuts.length + " cuts");
    }
  }

  /**
   * Lengths past an int (a file of several GB has ranges of a GB and groups of more): combining
   * is associative, so (A B) C and A (B C) agree for any lengths, however long; and appending
   * B to A differs from appending it to A with a few more bytes between.
   */
  @Test
  void crcCombineIsAssociativeForLengthsPastAnInt() {
    SplittableRandom r = new SplittableRandom(5);
    for (int round = 0; round < 50; round++) {
      long a = r.nextLong() & 0xffffffffL;
      long b = r.nextLong() & 0xffffffffL;
      long c = r.nextLong() & 0xffffffffL;
      long lb = r.nextLong(1, 1L << 40);
      long lc = r.nextLong(1, 1L << 40);
      long left = Crc32cCombine.combine(Crc32cCombine.combine(a, b, lb), c, lc);
      long right = Crc32cCombine.combine(a, Crc32cCombine.combine(b, c, lc), lb + lc);
      assertEquals(left, right, "round " + round);
    }
    // Zero bytes extend a CRC as the combine says, also across 2^32 bytes' worth of doubling.
    byte[] zeros = new byte[1 << 20];
    long z = crc(zeros, 0, zeros.length);
    long a = 0x12345678L;
    assertEquals(Crc32cCombine.combine(Crc32cCombine.combine(a, z, zeros.length), z,
        zeros.length), Crc32cCombine.combine(a, Crc32cCombine.combine(z, z, zeros.length),
        2L * zeros.length));
  }

  private Path write(String name, String s) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, s, StandardCharsets.UTF_8);
    return p;
  }

  /** The message one thread gives, which 2 and 16 threads must give too, not by ranges. */
  private static void sameRefusal(Path f, String want) {
    String one = assertThrows(DataException.class,
        () -> CsvScan.scan(f, F, "y", ANY, new CsvManifest.Builder(), 1, 0)).getMessage();
    assertEquals(f + want, one);
    for (int t : new int[] {2, 16}) {
      long before = CsvRangeScan.SCANNED.sum();
      assertEquals(one, assertThrows(DataException.class,
          () -> CsvScan.scan(f, F, "y", ANY, new CsvManifest.Builder(), t, 0)).getMessage());
      assertEquals(before, CsvRangeScan.SCANNED.sum(), "scanned by ranges");
    }
  }

  @Test
  void filesWithoutRowsAreRefusedAsTheOneThreadScanRefusesThem() throws IOException {
    String none = ": no data rows after the header";
    sameRefusal(write("header.csv", "name,x1,y,x2"), none);
    sameRefusal(write("headernl.csv", "\uFEFFname,x1,y,x2\r\n"), none);
    sameRefusal(write("blanks.csv", "\nname,x1,y,x2\n\n \t\r\n\n" + "\n".repeat(5000)), none);
    sameRefusal(write("empty.csv", ""),
        ": file is empty (expected a header row such as 'x,y')");
    sameRefusal(write("onlyblank.csv", "\n\r\n  \n"),
        ": file is empty (expected a header row such as 'x,y')");
  }

  /** A file of rows the check of whose target {@code fail} throws from a range's task. */
  private Path rows() throws IOException {
    StringBuilder s = new StringBuilder("name,x1,y,x2\n");
    for (int i = 0; i < 20_000; i++) {
      s.append('n').append(i).append(',').append(i * 0.5).append(',')
          .append(i == 15_000 ? 9 : 1).append(',').append(i).append('\n');
    }
    return write("rows.csv", s.toString());
  }

  @Test
  void anOutOfMemoryErrorInARangeIsThrownAsItselfForTheCommandLinesOneLine()
      throws IOException {
    Path f = rows();
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    DoubleFunction<String> check = new InputFormat.OrderFree(y -> {
      if (y == 9) {
        throw oom;
      }
      return null;
    });
    assertSame(oom, assertThrows(OutOfMemoryError.class,
        () -> CsvScan.scan(f, F, "y", check, new CsvManifest.Builder(), 3, 0)));
  }

  @Test
  void anotherErrorInARangeIsWrappedWithItsNameInTheMessage() throws IOException {
    // The command line prints an exception's message as its one line, but lets an Error other
    // than OutOfMemoryError out as a stack trace: wrapped, it says what it was in one line.
    Path f = rows();
    DoubleFunction<String> check = new InputFormat.OrderFree(y -> {
      if (y == 9) {
        throw new StackOverflowError();
      }
      return null;
    });
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> CsvScan.scan(f, F, "y", check, new CsvManifest.Builder(), 3, 0));
    assertEquals("java.lang.StackOverflowError", e.getMessage());
  }

  /** A random hard file: BOM, line ends mixed, blank lines, quoted cells, maybe no last end. */
  private Path randomFile(String name, SplittableRandom r) throws IOException {
    String[] ends = {"\n", "\r\n", "\n", "\r\n", "\r"};
    String nl = ends[r.nextInt(r.nextInt(5) == 0 ? 5 : 4)];
    StringBuilder s = new StringBuilder(r.nextBoolean() ? "\uFEFF" : "");
    for (int i = r.nextInt(3); i > 0; i--) {
      s.append(r.nextBoolean() ? "" : " \t").append(nl);
    }
    s.append("name,x1,y,x2").append(nl);
    int rows = r.nextInt(8) == 0 ? r.nextInt(1, 3) : r.nextInt(1, 6000);
    int blankEvery = r.nextInt(1, 40);
    for (int i = 0; i < rows; i++) {
      if (r.nextInt(blankEvery) == 0) {
        s.append(switch (r.nextInt(4)) {
          case 0 -> "";
          case 1 -> "  ";
          case 2 -> "\u2003";
          default -> "\t\u000b";
        }).append(r.nextInt(6) == 0 ? "\r\n" : nl);
      }
      s.append(r.nextInt(9) == 0 ? "\"q,\"\"é\"\"\"" : "n" + i).append(',')
          .append(r.nextInt(5) == 0 ? "\"" + r.nextGaussian() + "\"" : "" + r.nextGaussian())
          .append(',').append(r.nextInt(3)).append(", ").append(-i);
      if (i + 1 < rows || r.nextBoolean()) {
        s.append(nl);
      }
    }
    if (r.nextInt(4) == 0) {
      s.append(nl).append(" ").append(nl);
    }
    return write(name, s.toString());
  }

  /** Results and manifest of {@code files} as one dataset. */
  private static String scan(List<Path> files, int threads) {
    CsvManifest.Builder m = new CsvManifest.Builder();
    StringBuilder out = new StringBuilder();
    for (Path f : files) {
      long before = CsvRangeScan.SCANNED.sum();
      FileFormat.FileScan s = CsvScan.scan(f, F, "y", ANY, m, threads, 0);
      if (threads > 1) {
        assertEquals(before + 1, CsvRangeScan.SCANNED.sum(), f + " not scanned by ranges");
      }
      out.append(s.rows()).append(' ').append(s.sha256()).append(' ').append(s.maxTarget())
          .append('\n');
    }
    return out.append(m.build().encode()).toString();
  }

  /** Random datasets of hard files: on 2 to 16 threads, the one-thread scan's manifest. */
  @Test
  void randomHardDatasetsGiveTheOneThreadScansManifest() throws IOException {
    SplittableRandom r = new SplittableRandom(2026);
    for (int round = 0; round < 25; round++) {
      List<Path> files = new java.util.ArrayList<>();
      for (int k = r.nextInt(1, 4); k > 0; k--) {
        files.add(randomFile("r" + round + "-" + k + ".csv", r));
      }
      String one = scan(files, 1);
      int threads = r.nextInt(2, 17);
      assertEquals(one, scan(files, threads), "round " + round + ", threads " + threads);
    }
  }
}
