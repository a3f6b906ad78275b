package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleFunction;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan by ranges without its count pass, where its two passes could part from the
 * one-thread scan: files whose leaves begin on blank lines, CRLF, a byte-order mark and quoted
 * cells, in a dataset of several files (the manifest and the values kept byte for byte as the
 * one-thread scan's); a file changed between the parse pass and the hash pass (the manifest
 * must certify the values parsed); and bookkeeping that grows with a 64th of the rows, not with
 * the lines (blank lines are free).
 */
class CsvRangeScanChangesTest {

  @TempDir
  Path dir;

  private static final List<String> F = List.of("x1", "x2");
  private static final DoubleFunction<String> ANY = new InputFormat.OrderFree(y -> null);

  /** Scans {@code files} as one dataset: each file's result, then the manifest's text. */
  private static String scan(List<Path> files, int threads, DoubleFunction<String> check,
      List<List<Long>> values) {
    CsvManifest.Builder m = new CsvManifest.Builder();
    StringBuilder out = new StringBuilder();
    for (Path f : files) {
      ScanHandoff.enable(1L << 30);
      ScanHandoff.release();
      try {
        FileFormat.FileScan s = CsvScan.scan(f, F, "y", check, m, threads, 0);
        out.append(f.getFileName()).append(' ').append(s.rows()).append(' ')
            .append(s.sha256()).append(' ').append(s.maxTarget()).append('\n');
        ScannedColumns c = ScanHandoff.keptValues(f, s.sha256(), F, "y");
        values.add(c == null ? null : bits(c));
      } finally {
        ScanHandoff.enable(0);
        ScanHandoff.release();
      }
    }
    return out.append(m.build().encode()).toString();
  }

  private static List<Long> bits(ScannedColumns c) {
    double[][] x = new double[F.size()][c.rows()];
    double[] y = new double[c.rows()];
    c.copyTo(0, c.rows(), x, y, 0);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < c.rows(); i++) {
      for (double[] col : x) {
        out.add(Double.doubleToRawLongBits(col[i]));
      }
      out.add(Double.doubleToRawLongBits(y[i]));
    }
    return out;
  }

  private Path write(String name, String s) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, s, StandardCharsets.UTF_8);
    return p;
  }

  /** Rows {@code [from, from + n)}, a blank line before every {@code blankEvery}th. */
  private static String rows(int from, int n, String nl, int blankEvery, String blank) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < from + n; i++) {
      if (blankEvery > 0 && i % blankEvery == 0) {
        s.append(blank).append(nl);
      }
      s.append(i % 9 == 0 ? "\"q,\"\"x\"\"\"" : "n" + i).append(',').append(i * 0.1)
          .append(',').append(i % 3).append(',').append(i % 7 == 0 ? "\"" + i + "\"" : "" + i)
          .append(nl);
    }
    return s.toString();
  }

  /** On 2, 3, 5 and 16 threads, what one thread gives: results, manifest, values kept. */
  private static void same(List<Path> files, String what) {
    List<List<Long>> v1 = new ArrayList<>();
    String one = scan(files, 1, ANY, v1);
    for (int t : new int[] {2, 3, 5, 16}) {
      List<List<Long>> vt = new ArrayList<>();
      long before = CsvRangeScan.SCANNED.sum();
      assertEquals(one, scan(files, t, ANY, vt), what + ", threads " + t);
      // Not assertEquals: the lists would fill the report.
      assertTrue(v1.equals(vt), what + ": values, threads " + t);
      // Else a path that always gave up would pass by handing files to the one-thread scan.
      assertEquals(before + files.size(), CsvRangeScan.SCANNED.sum(), what + ", threads " + t);
    }
  }

  @Test
  void edgeFilesGiveTheOneThreadScansManifest() throws IOException {
    String h = "\uFEFFname,x1,y,x2\r\n";
    same(List.of(write("nonl.csv", h + rows(0, 40, "\r\n", 5, "") + "last,1.5,2,3")),
        "no final line end, less than a leaf");
    same(List.of(write("tailblank.csv", h + rows(0, 200, "\n", 0, "") + "\n\n  \n \t")),
        "blank lines last, no final line end");
    same(List.of(write("one.csv", "name,x1,y,x2\nn,1,2,3")), "one row");
    same(List.of(write("blankblock.csv", "name,x1,y,x2\n" + rows(0, 300, "\n", 0, "")
        + "\n".repeat(20000) + " \r\n".repeat(5000) + rows(300, 300, "\n", 0, "")
        + "\n".repeat(3000))), "a large block of blank lines");
    same(List.of(write("emspace.csv", "name,x1,y,x2\r\n"
        + rows(0, 3000, "\r\n", 2, "\u2003"))), "em-space blank lines");
    same(List.of(write("a.csv", "name,x1,y,x2\n" + rows(0, 70, "\n", 4, "")),
        write("b.csv", "\n\nname,x1,y,x2\n" + rows(70, 5, "\r\n", 2, " ")),
        write("c.csv", "name,x1,y,x2\n" + rows(75, 1000, "\n", 13, "") + "z,1,1,1"),
        write("d.csv", "name,x1,y,x2\n" + rows(1075, 63, "\n", 0, ""))),
        "several files starting mid-leaf");
  }

  /**
   * A row rewritten on disk (same size) after the parse pass read it, before the hash pass:
   * the scan must not certify the new bytes with the old values. It falls back to the
   * one-thread scan, which reads the file as it now is.
   */
  @Test
  void aFileChangedBetweenParseAndHashIsReadAgain() throws IOException {
    StringBuilder s = new StringBuilder("name,x1,y,x2\n");
    for (int i = 0; i < 5000; i++) {
      s.append("n,").append(i == 10 ? "1.5" : "0.5").append(',').append(i == 10 ? 7 : 1)
          .append(',').append(i).append('\n');
    }
    Path f = write("changed.csv", s.toString());
    long at = s.indexOf("n,1.5,7,10") + 2;
    AtomicBoolean done = new AtomicBoolean();
    // The target check runs in the parse pass, after the row's bytes were read.
    DoubleFunction<String> rewrite = new InputFormat.OrderFree(y -> {
      if (y == 7 && done.compareAndSet(false, true)) {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
          raf.seek(at);
          raf.write("2.5".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return null;
    });
    List<List<Long>> changed = new ArrayList<>();
    String ranges = scan(List.of(f), 3, rewrite, changed);
    assertTrue(done.get(), "the file was rewritten during the scan");
    List<List<Long>> now = new ArrayList<>();
    String one = scan(List.of(f), 1, ANY, now);
    assertEquals(2.5, Double.longBitsToDouble(now.get(0).get(30)), "x1 of row 10 on disk");
    assertTrue(now.equals(changed), "values kept, against the file the manifest describes");
    assertEquals(one, ranges, "results and manifest");
  }

  /** The checksums the two passes compare join as the checksum of the whole body. */
  @Test
  void crcsOfPiecesCombineAsTheCrcOfTheWhole() {
    byte[] b = new byte[100_000];
    new java.util.Random(7).nextBytes(b);
    CRC32C whole = new CRC32C();
    whole.update(b);
    for (int cut : new int[] {0, 1, 63, 4096, 77_777, 100_000}) {
      CRC32C a = new CRC32C();
      a.update(b, 0, cut);
      CRC32C c = new CRC32C();
      c.update(b, cut, b.length - cut);
      assertEquals(whole.getValue(),
          Crc32cCombine.combine(a.getValue(), c.getValue(), b.length - cut), "cut " + cut);
    }
  }

  /**
   * A range's bookkeeping is a mark per 64 rows, whatever the blank lines: 150 MB of them made
   * the scan run out of heap where the one-thread scan did not.
   */
  @Test
  void aRangeKeepsAMarkPer64RowsAndNothingPerBlankLine() throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      s.append("\n \n\r\n".repeat(i % 5 == 0 ? 40 : 0)).append("n,").append(i).append(",1,2\n");
    }
    Path f = write("marks.csv", s.toString());
    CsvHeader header = CsvHeader.parse("name,x1,y,x2", f, 1, F, "y");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      CsvRangeParse.Parsed p = CsvRangeParse.parse(ch, f, 0, ch.size(), header, 2, ANY,
          new AtomicBoolean(), new AtomicLong(1L << 20));
      assertEquals(1000, p.rows());
      assertEquals(1000 + 200 * 3 * 40, p.lines());
      assertEquals(16, p.markOffsets().length, "ceil(1000 / 64) marks");
      assertEquals(16, p.markLines().length);
      // Mark 1 is row 64: rows 0..63 and the blank lines before 0, 5, ..., 60 (13 × 120).
      assertEquals(64 + 13 * 120, p.markLines()[1]);
    }
  }
}
