package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CSV manifest: a worker that reads only its pieces gets exactly the values of a whole-file
 * read, reads about its share of the bytes, and is refused for a piece it read that differs
 * from the coordinator's copy, not for one it did not read.
 */
class CsvManifestTest {

  @TempDir
  Path dir;

  private final CsvFormat csv = new CsvFormat();

  /** Rows {@code [from, to)} of one dataset: numbers of many shapes, blank lines, CRLF. */
  private Path write(String name, int from, int to, boolean bom) throws IOException {
    SplittableRandom r = new SplittableRandom(from * 31L + 7);
    StringBuilder b = new StringBuilder(bom ? "\uFEFF" : "");
    b.append("id, a ,b,y\n");
    for (int i = from; i < to; i++) {
      double a = r.nextGaussian() * Math.pow(10, r.nextInt(-5, 6));
      String cell = switch (i % 4) {
        case 0 -> String.format("%.17g", a);
        case 1 -> "\"" + a + "\"";
        case 2 -> " " + Double.toString(a) + " ";
        default -> String.format("%.3e", a);
      };
      b.append(i).append(',').append(cell).append(',').append(r.nextInt(-9, 10))
          .append(',').append(r.nextDouble()).append(i % 7 == 0 ? "\r\n" : "\n");
      if (i % 97 == 0) {
        b.append("\n");
      }
    }
    Path p = dir.resolve(name);
    Files.write(p, b.toString().getBytes(StandardCharsets.UTF_8));
    return p;
  }

  private DatasetSpec scan(List<Path> files, Integer chunkSize) {
    InputFormat.Scanned s = ParquetFormatTest.scan(csv, files, "a,b", y -> null);
    DatasetSpec.Source src = s.source();
    return new DatasetSpec(src, chunkSize != null ? chunkSize
        : DatasetSpec.defaultChunkSize(src.examples()));
  }

  /** The same dataset as a run recorded before manifests has it: whole files, no offsets. */
  private static DatasetSpec withoutManifest(DatasetSpec d) {
    DatasetSpec.Source s = d.source();
    Map<String, String> settings = new TreeMap<>(s.settings());
    assertNotNull(settings.remove(CsvManifest.SETTING));
    return new DatasetSpec(new DatasetSpec.Source(s.format(), settings, s.columns(),
        s.target(), s.rows(), s.digest()), d.chunkSize());
  }

  private static double[][] values(ShardLoader.Loaded loaded) {
    List<double[]> cols = new ArrayList<>();
    for (Segment seg : loaded.segments()) {
      for (double[] x : seg.x()) {
        cols.add(x);
      }
      cols.add(seg.y());
    }
    return cols.toArray(double[][]::new);
  }

  private static void assertSameBits(double[][] want, double[][] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertArrayEquals(want[i], got[i]);
    }
  }

  @Test
  void workersReadingOnlyTheirPiecesGetTheBitsOfWholeFilesForAnySplitAndAssignment()
      throws IOException {
    // 70 000 rows in three files cut inside chunks: the pieces grow to 128 rows during the scan.
    List<Path> files = List.of(write("p0.csv", 0, 20_001, true),
        write("p1.csv", 20_001, 53_333, false), write("p2.csv", 53_333, 70_000, false));
    DatasetSpec d = scan(files, null);
    CsvManifest m = CsvManifest.of(d.source());
    assertEquals(DatasetSpec.defaultChunkSize(70_000), m.pieceRows(),
        "with the default --chunk-size a piece is a chunk");
    assertEquals(3, m.files().size());
    assertEquals(m.encode(), CsvManifest.decode(m.encode()).encode());
    DatasetSpec old = withoutManifest(d);
    int n = d.numChunks();
    List<List<Integer>> shares = List.of(
        IntStream.range(0, n).boxed().toList(),
        IntStream.range(0, n / 3).boxed().toList(),
        IntStream.range(n / 3, 2 * n / 3).boxed().toList(),
        IntStream.range(2 * n / 3, n).boxed().toList(),
        List.of(0, 5, 156, 157, 158, 416, n - 1));
    for (List<Integer> share : shares) {
      assertSameBits(values(ShardLoader.load(old, share)), values(ShardLoader.load(d, share)));
      assertEquals(d.digest(), ShardLoader.load(d, share).digest());
    }
    // A --chunk-size that is not a multiple of the pieces reads the pieces around each run.
    DatasetSpec odd = new DatasetSpec(d.source(), 100);
    List<Integer> some = List.of(3, 4, 250, 699);
    assertSameBits(values(ShardLoader.load(withoutManifest(odd), some)),
        values(ShardLoader.load(odd, some)));
  }

  @Test
  void tinyFilesInsideOneLeafAndFilesSpanningManyPiecesReadTheSameBits() throws IOException {
    int[] cuts = {0, 1, 2, 40, 63, 64, 65, 200, 201, 329, 1000, 1001, 3000};
    List<Path> files = new ArrayList<>();
    for (int k = 0; k + 1 < cuts.length; k++) {
      files.add(write(String.format("part-%02d.csv", k), cuts[k], cuts[k + 1], k == 3));
    }
    for (Integer chunkSize : new Integer[] {null, 7, 1000}) {
      DatasetSpec d = scan(files, chunkSize);
      DatasetSpec old = withoutManifest(d);
      int n = d.numChunks();
      for (int w = 0; w < 3; w++) {
        List<Integer> share = IntStream.range(w * n / 3, (w + 1) * n / 3).boxed().toList();
        assertSameBits(values(ShardLoader.load(old, share)), values(ShardLoader.load(d, share)));
      }
      List<Integer> scattered = IntStream.range(0, n).filter(c -> c % 3 == 1).boxed().toList();
      assertSameBits(values(ShardLoader.load(old, scattered)),
          values(ShardLoader.load(d, scattered)));
    }
  }

  @Test
  void aWorkerWithAThirdOfTheChunksReadsAThirdOfTheFilePlusOneChunk() throws IOException {
    // Rows of one width, so a third of the rows is a third of the bytes.
    Path file = dir.resolve("one.csv");
    SplittableRandom r = new SplittableRandom(3);
    StringBuilder b = new StringBuilder("a,b,y\n");
    for (int i = 0; i < 30_000; i++) {
      b.append(1_000_000_000L + r.nextInt(1_000_000_000)).append(",0.")
          .append(1_000_000_000L + r.nextInt(1_000_000_000)).append(',')
          .append(1_000_000_000L + r.nextInt(1_000_000_000)).append('\n');
    }
    Files.writeString(file, b);
    DatasetSpec d = scan(List.of(file), null);
    CsvManifest.FileEntry e = CsvManifest.of(d.source()).files().get(0);
    long largestPiece = 0;
    for (int i = 0; i < e.pieces().size(); i++) {
      largestPiece = Math.max(largestPiece, e.end(i) - e.pieces().get(i).offset());
    }
    int n = d.numChunks();
    long size = Files.size(file);
    for (int w = 0; w < 3; w++) {
      long before = CsvPieceReader.BYTES_READ.sum();
      ShardLoader.load(d, IntStream.range(w * n / 3, (w + 1) * n / 3).boxed().toList());
      long read = CsvPieceReader.BYTES_READ.sum() - before;
      assertTrue(read <= size / 3 + largestPiece + e.headerEnd(),
          "worker " + w + " read " + read + " of " + size + " bytes");
      int first = w * n / 3;
      int last = (w + 1) * n / 3 - 1;
      assertEquals(e.headerEnd() + e.end(last) - e.pieces().get(first).offset(), read,
          "the header and its chunks' bytes, no more");
    }
  }

  @Test
  void aChangedPieceRefusesOnlyTheWorkerThatReadsItNamingTheFile() throws IOException {
    Path file = write("one.csv", 0, 5_000, false);
    DatasetSpec d = scan(List.of(file), null);
    CsvManifest.FileEntry e = CsvManifest.of(d.source()).files().get(0);
    // One digit of chunk 10's first row changes; the file keeps its size.
    long at = e.pieces().get(10).offset();
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int c = f.read();
      f.seek(at);
      f.write(c == '1' ? '2' : '1');
    }
    DataException refused = assertThrows(DataException.class,
        () -> ShardLoader.load(d, List.of(9, 10, 11)));
    assertTrue(refused.getMessage().startsWith(file + ": this copy differs from the "
        + "coordinator's (rows 640-703 from line"), refused.getMessage());
    assertEquals(d.digest(), ShardLoader.load(d, List.of(0, 1, 40, 70)).digest());

    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(1);
      f.write('X'); // the header
    }
    assertTrue(assertThrows(DataException.class, () -> ShardLoader.load(d, List.of(40)))
        .getMessage().contains("differs from the coordinator's (its header"));
    Files.writeString(file, "1,2,3,4\n", java.nio.file.StandardOpenOption.APPEND);
    assertTrue(assertThrows(DataException.class, () -> ShardLoader.load(d, List.of(40)))
        .getMessage().endsWith("bytes there)"));
  }

  @Test
  void theManifestOfAMillionRowsIsFewTensOfKilobytes() throws IOException {
    Path file = dir.resolve("million.csv");
    StringBuilder b = new StringBuilder("a,b,y\n");
    for (int i = 0; i < 1_000_000; i++) {
      b.append(i % 10).append(',').append(i % 3).append(',').append(i % 7).append('\n');
    }
    Files.writeString(file, b);
    DatasetSpec d = scan(List.of(file), null);
    CsvManifest m = CsvManifest.of(d.source());
    assertEquals(1024, m.pieceRows());
    assertEquals(977, m.files().get(0).pieces().size());
    int length = d.source().setting(CsvManifest.SETTING).length();
    assertTrue(length < 50_000, "manifest of " + length + " characters");
    assertNull(withoutManifest(d).source().setting(CsvManifest.SETTING));
  }
  /**
   * The manifest of a fixed file (CRLF and LF, blank lines, quotes, spaces) is byte for byte the
   * one main recorded on 2026-12-07 (06fb256), on one thread and by ranges: its digests are part
   * of every run's numbers, so a faster scan must not move them.
   */
  @Test
  void theManifestOfAFixedFileIsTheOneRecordedRunsHold() throws IOException {
    SplittableRandom r = new SplittableRandom(2026);
    StringBuilder s = new StringBuilder("\r\nname,x1,y,x2\r\n");
    for (int i = 0; i < 20_000; i++) {
      if (r.nextInt(40) == 0) {
        s.append(" \r\n");
      }
      String nl = r.nextInt(5) == 0 ? "\n" : "\r\n";
      s.append(i % 11 == 0 ? "\"n, " + i + "\"" : "n" + i).append(',')
          .append(String.format(java.util.Locale.ROOT, "%.17g", r.nextGaussian())).append(',')
          .append(r.nextInt(3)).append(',').append(i % 13 == 0 ? " " + i + " " : "" + i)
          .append(nl);
    }
    Path p = dir.resolve("fixed.csv");
    Files.writeString(p, s);
    for (int threads : new int[] {1, 2}) {
      CsvManifest.Builder m = new CsvManifest.Builder();
      FileFormat.FileScan scan = CsvScan.scan(p, List.of("x1", "x2"), "y",
          new InputFormat.OrderFree(y -> null), m, threads, 0);
      assertEquals(20_000, scan.rows());
      assertEquals("b07a62141a5bc17e8514cfafa79c477d2221ba87f5d92636ceb7d14005d28514",
          scan.sha256());
      assertEquals("fa86f031ead15f971496d304b7c3a2d229daa4b984ef5d087c54a0d8c7615141",
          m.build().sha256(), threads + " threads");
    }
  }
}
