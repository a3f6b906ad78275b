package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan by ranges on several threads gives what the one-thread scan gives — rows, largest
 * target, whole-file digest and the manifest byte for byte — on files that put blank lines,
 * CRLF, a byte-order mark, quotes and non-ASCII text where ranges are cut, alone and as parts of
 * a dataset whose files start at unaligned rows; and a bad file is refused with the one-thread
 * scan's message, naming the same line.
 */
class CsvRangeScanTest {

  @TempDir
  Path dir;

  private static final List<String> FEATURES = List.of("x1", "x2");
  private static final DoubleFunction<String> ANY = new InputFormat.OrderFree(y -> null);

  /** A file of {@code rows} rows with the awkward things sprinkled in by {@code seed}. */
  private Path file(String name, int rows, long seed, boolean crlf, boolean bom)
      throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    String nl = crlf ? "\r\n" : "\n";
    StringBuilder s = new StringBuilder(bom ? "\uFEFF" : "");
    s.append(nl).append("name,x1,y,x2").append(nl).append("  ").append(nl);
    for (int i = 0; i < rows; i++) {
      if (r.nextInt(50) == 0) {
        s.append(r.nextBoolean() ? "" : " \t").append(nl); // blank lines, also in a row
      }
      String label = switch (r.nextInt(20)) {
        case 0 -> "\"quoted, with comma\"";
        case 1 -> "naïve";
        default -> "n" + i;
      };
      double x1 = r.nextGaussian();
      s.append(label).append(',').append(String.format(Locale.ROOT, "%.17g", x1)).append(',')
          .append(r.nextInt(3)).append(", ").append(i % 7 == 0 ? "\"" + i + "\"" : "" + i)
          .append(nl);
    }
    Path p = dir.resolve(name);
    Files.writeString(p, s, StandardCharsets.UTF_8);
    return p;
  }

  /** Scans {@code files} as one dataset; the manifest's text plus each file's result. */
  private static String scan(List<Path> files, int threads) {
    CsvManifest.Builder manifest = new CsvManifest.Builder();
    StringBuilder out = new StringBuilder();
    for (Path f : files) {
      long before = CsvRangeScan.SCANNED.sum();
      FileFormat.FileScan s = CsvScan.scan(f, FEATURES, "y", ANY, manifest, threads, 0);
      // The ranges must really have scanned it: a path that always gave up would pass the
      // comparisons by handing every file to the one-thread scan.
      assertEquals(before + (threads > 1 ? 1 : 0), CsvRangeScan.SCANNED.sum(), f.toString());
      out.append(s.rows()).append(' ').append(s.sha256()).append(' ').append(s.maxTarget())
          .append('\n');
    }
    return out.append(manifest.build().encode()).toString();
  }

  @Test
  void rangesGiveTheOneThreadScanOfOneFile() throws IOException {
    int[] sizes = {1, 2, 63, 64, 65, 1000, 65_536, 65_600, 131_100};
    for (int k = 0; k < sizes.length; k++) {
      Path f = file("f" + k + ".csv", sizes[k], k, k % 2 == 0, k % 3 == 0);
      String one = scan(List.of(f), 1);
      for (int threads : new int[] {2, 3, 7}) {
        assertEquals(one, scan(List.of(f), threads), sizes[k] + " rows on " + threads);
      }
    }
  }

  @Test
  void rangesGiveTheOneThreadScanOfADatasetOfSeveralFiles() throws IOException {
    List<Path> files = List.of(file("a.csv", 70_001, 1, false, false),
        file("b.csv", 3, 2, true, false), file("c.csv", 40_000, 3, false, true),
        file("d.csv", 30_000, 4, true, false));
    String one = scan(files, 1);
    assertEquals(one, scan(files, 2));
    assertEquals(one, scan(files, 4));
  }

  @Test
  void aBadLineIsNamedAsTheOneThreadScanNamesIt() throws IOException {
    Path f = file("bad.csv", 50_000, 9, false, false);
    List<String> lines = Files.readAllLines(f);
    int at = lines.size() - 100; // in the last range
    lines.set(at, "n,1.5,2,oops");
    Files.write(f, lines);
    String one = assertThrows(DataException.class,
        () -> CsvScan.scan(f, FEATURES, "y", ANY, new CsvManifest.Builder(), 1, 0))
        .getMessage();
    String two = assertThrows(DataException.class,
        () -> CsvScan.scan(f, FEATURES, "y", ANY, new CsvManifest.Builder(), 3, 0))
        .getMessage();
    assertEquals(one, two);
    assertEquals(f + ":" + (at + 1) + ": column 'x2': 'oops' is not a number", two);
    DoubleFunction<String> labels = new InputFormat.OrderFree(
        y -> y > 1 ? "not a class label 0 or 1" : null);
    String check = assertThrows(DataException.class,
        () -> CsvScan.scan(f, FEATURES, "y", labels, new CsvManifest.Builder(), 3, 0))
        .getMessage();
    assertEquals(assertThrows(DataException.class,
        () -> CsvScan.scan(f, FEATURES, "y", labels, new CsvManifest.Builder(), 1, 0))
        .getMessage(), check);
  }

  @Test
  void aCheckThatKeepsStateSeesEveryRowInOrderOnOneThread() throws IOException {
    // --class-weight balanced remembers the labels in row order: such a check is not OrderFree,
    // so the scan must not split the file into ranges checked at once.
    Path f = file("state.csv", 70_000, 5, false, false);
    List<Double> seen = new java.util.ArrayList<>();
    long before = CsvRangeScan.SCANNED.sum();
    FileFormat.FileScan s = CsvScan.scan(f, FEATURES, "y", y -> {
      seen.add(y);
      return null;
    }, new CsvManifest.Builder(), 4, 0);
    assertEquals(before, CsvRangeScan.SCANNED.sum(), "scanned by ranges");
    assertEquals(s.rows(), seen.size());
    List<Double> want = new java.util.ArrayList<>();
    CsvFile.read(f, FEATURES, "y", row -> true, (row, x, y) -> want.add(y));
    assertEquals(want, seen);
  }
  @Test
  void rangesThatBeginOnBlankLinesGiveTheOneThreadScan() throws IOException {
    // Every row is followed by blank lines, so ranges (cut at any line end, before anyone knows
    // their rows) begin on blank lines as often as on rows; the blank lines belong to the leaf
    // of the row before them, whichever range parsed them.
    for (boolean crlf : new boolean[] {false, true}) {
      String nl = crlf ? "\r\n" : "\n";
      StringBuilder s = new StringBuilder("name,x1,y,x2").append(nl);
      for (int i = 0; i < 5_000; i++) {
        s.append('n').append(i).append(',').append(i * 0.25).append(',').append(i % 3)
            .append(',').append(-i).append(nl).append(" ".repeat(i % 3)).append(nl);
        if (i % 5 == 0) {
          s.append('\t').append(nl);
        }
      }
      Path f = dir.resolve("blank" + crlf + ".csv");
      Files.writeString(f, s, StandardCharsets.UTF_8);
      String one = scan(List.of(f), 1);
      for (int threads : new int[] {2, 3, 7, 16}) {
        assertEquals(one, scan(List.of(f), threads), threads + " threads, CRLF " + crlf);
      }
    }
  }

  @Test
  void theValuesKeptByRangesAreTheOneThreadScansValuesWhereverTheirBlocksEnd()
      throws IOException {
    // Long rows first, then short ones: a range's first block, sized by its first rows' mean
    // length, is too small, so ranges go on in further blocks.
    StringBuilder s = new StringBuilder("name,x1,y,x2\n");
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      s.append(i < 3_000 ? "long" + "x".repeat(200) : "s").append(',')
          .append(r.nextGaussian()).append(',').append(r.nextInt(3)).append(',')
          .append(i % 11 == 0 ? "\"" + i + "\"" : "" + i).append('\n');
    }
    Path f = dir.resolve("shrinking.csv");
    Files.writeString(f, s, StandardCharsets.UTF_8);
    ScanHandoff.enable(1L << 30);
    try {
      FileFormat.FileScan one = CsvScan.scan(f, FEATURES, "y", ANY, new CsvManifest.Builder(),
          1, 0);
      ScannedColumns want = ScanHandoff.keptValues(f, one.sha256(), FEATURES, "y");
      ScanHandoff.release();
      FileFormat.FileScan three = CsvScan.scan(f, FEATURES, "y", ANY,
          new CsvManifest.Builder(), 3, 0);
      ScannedColumns got = ScanHandoff.keptValues(f, three.sha256(), FEATURES, "y");
      assertEquals(20_000, got.rows());
      assertTrue(got.blocks() > 3, "blocks beyond one a range: " + got.blocks());
      assertEquals(bits(want), bits(got));
    } finally {
      ScanHandoff.enable(0);
      ScanHandoff.release();
    }
  }

  @Test
  void aFileFarPastTheRoomKeepsNoValuesAndAllocatesNone() throws IOException {
    Path f = file("big.csv", 20_000, 3, false, false);
    // Room for about half of its values: by its first lines' mean length the rows do not fit,
    // so no range fills blocks only to drop them.
    ScanHandoff.enable(8L * 3 * 10_000);
    try {
      long reserved = CsvRangeParse.RESERVED.sum();
      FileFormat.FileScan s = CsvScan.scan(f, FEATURES, "y", ANY, new CsvManifest.Builder(),
          3, 0);
      assertEquals(20_000, s.rows());
      assertEquals(null, ScanHandoff.keptValues(f, s.sha256(), FEATURES, "y"));
      assertEquals(reserved, CsvRangeParse.RESERVED.sum(), "blocks allocated");
      ScanHandoff.enable(8L * 3 * 30_000);
      s = CsvScan.scan(f, FEATURES, "y", ANY, new CsvManifest.Builder(), 3, 0);
      assertEquals(20_000, ScanHandoff.keptValues(f, s.sha256(), FEATURES, "y").rows(),
          "kept when there is room");
    } finally {
      ScanHandoff.enable(0);
      ScanHandoff.release();
    }
  }

  /** Every kept value's bits, row by row. */
  private static List<Long> bits(ScannedColumns c) {
    double[][] x = new double[FEATURES.size()][c.rows()];
    double[] y = new double[c.rows()];
    c.copyTo(0, c.rows(), x, y, 0);
    List<Long> out = new java.util.ArrayList<>();
    for (int i = 0; i < c.rows(); i++) {
      for (double[] col : x) {
        out.add(Double.doubleToRawLongBits(col[i]));
      }
      out.add(Double.doubleToRawLongBits(y[i]));
    }
    return out;
  }
}
