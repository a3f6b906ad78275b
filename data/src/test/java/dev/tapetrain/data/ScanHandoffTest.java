package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan's values handed to the loads of the same JVM ({@link ScanHandoff}): the segments are
 * those a read of the files gives, every double's bits, with the same digest, over several
 * files (one large enough to be scanned by byte ranges, small ones scanned on one thread, cells
 * the fast parser leaves to the slow one) and validation data of their own; no file is read for
 * them, the values are dropped once taken, and anything else (off, over budget, a later load)
 * reads the files as before.
 */
class ScanHandoffTest {

  /** A check that allows the scan by byte ranges (a stateless one). */
  private static final InputFormat.OrderFree ANY = new InputFormat.OrderFree(y -> null);

  @TempDir
  Path dir;

  @AfterEach
  void off() {
    ScanHandoff.enable(0);
    ScanHandoff.release();
  }

  /** A CSV of {@code rows} rows; {@code odd}: quoted cells, blank lines, exponents, −0. */
  private Path write(String name, int rows, long seed, boolean odd) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    Path p = dir.resolve(name);
    try (Writer w = Files.newBufferedWriter(p)) {
      w.write("a,b,c,y\n");
      for (int i = 0; i < rows; i++) {
        if (odd && i % 97 == 5) {
          w.write("\"" + r.nextGaussian() + "\", 1e-3 ,-0.0," + r.nextDouble() * 1e300 + "\n\n");
        } else {
          w.write(r.nextGaussian() + "," + r.nextInt(-9, 10) + "," + r.nextDouble() / 7 + ","
              + r.nextDouble() + "\n");
        }
      }
    }
    return p;
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /** Two workers' loads: the first half of the chunks, then the rest. */
  private static List<ShardLoader.Loaded> twoWorkers(DatasetSpec d) {
    int n = d.numChunks();
    return List.of(ShardLoader.load(d, range(0, n / 2)), ShardLoader.load(d, range(n / 2, n)));
  }

  /**
   * The same digest and, chunk by chunk, the same values' bits: a load from the scan's values
   * may cut its segments elsewhere (views of each file's arrays, {@link ScanHandoff#views}).
   */
  private static void assertSameBits(List<ShardLoader.Loaded> expected,
      List<ShardLoader.Loaded> actual) {
    assertEquals(expected.size(), actual.size());
    for (int w = 0; w < expected.size(); w++) {
      assertEquals(expected.get(w).digest(), actual.get(w).digest(), "the digest");
      java.util.Map<Integer, Segment> e = byChunk(expected.get(w));
      java.util.Map<Integer, Segment> a = byChunk(actual.get(w));
      assertEquals(e.keySet(), a.keySet(), "the chunks");
      assertEquals(expected.get(w).reads().rows(), actual.get(w).reads().rows());
      for (int c : e.keySet()) {
        for (int f = 0; f <= e.get(c).x().length; f++) {
          assertArrayEquals(chunkBits(e.get(c), c, f), chunkBits(a.get(c), c, f),
              "chunk " + c + ", column " + f);
        }
      }
    }
  }

  private static java.util.Map<Integer, Segment> byChunk(ShardLoader.Loaded loaded) {
    java.util.Map<Integer, Segment> out = new java.util.TreeMap<>();
    for (Segment s : loaded.segments()) {
      for (int k = 0; k < s.chunks(); k++) {
        assertEquals(null, out.put(s.firstChunk() + k, s), "chunk held twice");
      }
    }
    return out;
  }

  /** Column {@code f} (the target after the features) of chunk {@code c}, as bits. */
  private static long[] chunkBits(Segment s, int c, int f) {
    double[] col = f < s.x().length ? s.x()[f] : s.y();
    return bits(Arrays.copyOfRange(col, s.start(c), s.start(c) + s.length(c)));
  }

  private static long[] bits(double[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Double.doubleToRawLongBits(v[i]);
    }
    return out;
  }

  private List<Path> files() throws IOException {
    // The middle file passes CsvScan.PARALLEL_BYTES: scanned by ranges on several threads.
    List<Path> files = List.of(write("a.csv", 3_001, 1, true), write("b.csv", 300_000, 2, false),
        write("c.csv", 2_500, 3, true));
    assertTrue(Files.size(files.get(1)) >= CsvScan.PARALLEL_BYTES);
    return files;
  }

  @Test
  void handedOverSegmentsAreTheFileReadsBitForBitAndNoFileIsRead() throws IOException {
    List<Path> files = files();
    ScanHandoff.enable(1L << 30);
    long ranges = CsvRangeScan.SCANNED.sum();
    DatasetSpec d = new DatasetSpec(
        ParquetFormatTest.scan(new CsvFormat(), files, "a,b,c", ANY).source(), 1000);
    assertEquals(ranges + (Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0),
        CsvRangeScan.SCANNED.sum(), "the large file scanned by ranges");
    // Once, in arrays at most a few percent longer than the rows (a range's block is sized by
    // the bytes left at its rows' mean length, before anyone counted them).
    assertTrue(ScanHandoff.heldBytes() >= 8L * 4 * d.examples()
        && ScanHandoff.heldBytes() <= 8L * 4 * d.examples() * 103 / 100,
        "every file kept, once: " + ScanHandoff.heldBytes());

    long handed = ScanHandoff.ROWS_HANDED.sum();
    long read = CsvPieceReader.BYTES_READ.sum();
    List<ShardLoader.Loaded> fromScan = twoWorkers(d);
    assertEquals(d.examples(), ScanHandoff.ROWS_HANDED.sum() - handed, "rows handed over");
    assertEquals(read, CsvPieceReader.BYTES_READ.sum(), "no file read by the loads");
    assertEquals(0, ScanHandoff.heldBytes(), "released once every row was taken");
    assertEquals(d.numChunks() / 2 * 1000L, fromScan.get(0).reads().handed());
    assertTrue(fromScan.get(1).reads().describe().endsWith(
        "from the scan's values in this JVM (no file read)"), fromScan.get(1).reads().describe());

    // A later load (a worker taking over chunks) reads the files, as every load without one.
    List<ShardLoader.Loaded> fromFiles = twoWorkers(d);
    assertEquals(d.examples(), ScanHandoff.ROWS_HANDED.sum() - handed, "nothing handed again");
    assertTrue(CsvPieceReader.BYTES_READ.sum() - read > Files.size(files.get(1)),
        "the files were read");
    assertSameBits(fromFiles, fromScan);
  }

  @Test
  void chunksInOneFileAreViewsOfTheScansArraysAndOnlyChunksAcrossFilesAreCopied()
      throws IOException {
    List<Path> files = files();
    ScanHandoff.enable(1L << 30);
    DatasetSpec d = new DatasetSpec(
        ParquetFormatTest.scan(new CsvFormat(), files, "a,b,c", ANY).source(), 1000);
    // Chunks of 1000 rows over files of 3 001, 300 000 and 2 500 rows: chunks 3 and 303 span
    // two files each (rows 3 000-3 999 and 303 000-303 999), every other lies in one file. The
    // big file was scanned by ranges, each keeping its values in blocks of its own: a chunk
    // across two blocks is copied too.
    FileSet.DataFile b = FileSet.of(d.source()).files().get(1);
    ScannedColumns big = ScanHandoff.keptValues(b.path(), b.digest(), d.source().columns(),
        d.source().target());
    List<Integer> across = new ArrayList<>();
    for (int c = 4; c < 303; c++) {
      if (big.blockOf(c * 1000L - 3_001, (c + 1) * 1000L - 3_001) < 0) {
        across.add(c);
      }
    }
    assertTrue(big.blocks() >= Math.min(2, Runtime.getRuntime().availableProcessors()),
        "a block per range: " + big.blocks());
    long viewed = ScanHandoff.ROWS_VIEWED.sum();
    long handed = ScanHandoff.ROWS_HANDED.sum();
    List<ShardLoader.Loaded> fromScan = twoWorkers(d);
    assertEquals(d.examples() - 2_000 - 1_000L * across.size(),
        ScanHandoff.ROWS_VIEWED.sum() - viewed, "rows viewed");
    assertEquals(d.examples(), ScanHandoff.ROWS_HANDED.sum() - handed, "rows handed over");
    // The big file's chunks: views of the block that holds them, at their rows in it.
    for (int c : List.of(100, 250, 302)) {
      Segment s = byChunk(fromScan.get(c < d.numChunks() / 2 ? 0 : 1)).get(c);
      int k = big.blockOf(c * 1000L - 3_001, (c + 1) * 1000L - 3_001);
      if (k >= 0) {
        assertTrue(s.y() == big.y(k) && s.x()[2] == big.x(k)[2], "chunk " + c + ": a view");
        assertEquals(c * 1000 - 3_001 - big.start(k), s.start(c), "chunk " + c + "'s row");
      }
    }
    for (int c : across) {
      Segment s = byChunk(fromScan.get(c < d.numChunks() / 2 ? 0 : 1)).get(c);
      assertEquals(1, s.chunks(), "chunk " + c + " across two blocks: copied alone");
      assertEquals(1000, s.y().length, "chunk " + c + " copied");
    }
    long blocksOfWorker0 = java.util.stream.IntStream.range(4, d.numChunks() / 2)
        .map(c -> big.blockOf(c * 1000L - 3_001, (c + 1) * 1000L - 3_001)).filter(k -> k >= 0)
        .distinct().count();
    assertEquals(2 + blocksOfWorker0 + across.stream().filter(c -> c < d.numChunks() / 2)
        .count(), fromScan.get(0).segments().size(),
        "a.csv's view, the copied chunk 3, b.csv's views (one a block) and copied chunks");
    assertEquals(0, ScanHandoff.heldBytes(), "released once every row was taken");
    assertSameBits(twoWorkers(d), fromScan);
  }

  @Test
  void parquetChunksAreViewsOfTheScansArraysToo() throws IOException {
    Path p = dir.resolve("p.parquet");
    ParquetFormatTest.writeParquet(p, 0, 5_000);
    ScanHandoff.enable(1L << 30);
    DatasetSpec d = new DatasetSpec(ParquetFormatTest.scan(new ParquetFormat(),
        List.of(p), "i64,d,f,i32", ANY).source(), 256);
    long viewed = ScanHandoff.ROWS_VIEWED.sum();
    long read = RowGroupDigests.BYTES_READ.sum();
    List<ShardLoader.Loaded> fromScan = twoWorkers(d);
    assertEquals(5_000, ScanHandoff.ROWS_VIEWED.sum() - viewed, "every row viewed");
    assertEquals(read, RowGroupDigests.BYTES_READ.sum(), "no row group read by the loads");
    assertTrue(fromScan.get(0).segments().get(0).y() == fromScan.get(1).segments().get(0).y());
    assertTrue(fromScan.get(1).reads().describe().endsWith(
        "from the scan's values in this JVM (no file read)"), fromScan.get(1).reads().describe());
    List<ShardLoader.Loaded> fromFiles = twoWorkers(d);
    assertTrue(RowGroupDigests.BYTES_READ.sum() > read, "the files were read");
    assertSameBits(fromFiles, fromScan);
  }

  @Test
  void validationDataOfTheirOwnAreHandedOverToo() throws IOException {
    List<Path> training = files();
    Path validation = write("v.csv", 4_321, 4, true);
    ScanHandoff.enable(1L << 30);
    DatasetSpec d = new DatasetSpec(
        ParquetFormatTest.scan(new CsvFormat(), training, "a,b,c", ANY).source(), 1000,
        ParquetFormatTest.scan(new CsvFormat(), List.of(validation), "a,b,c", ANY)
            .source());
    long handed = ScanHandoff.ROWS_HANDED.sum();
    long read = CsvPieceReader.BYTES_READ.sum();
    // Chunk boundaries that cut through files and through the training/validation border.
    int n = d.numChunks();
    List<ShardLoader.Loaded> fromScan = List.of(ShardLoader.load(d, range(0, n / 3)),
        ShardLoader.load(d, range(n / 3, n)));
    assertEquals(d.examples(), ScanHandoff.ROWS_HANDED.sum() - handed);
    assertEquals(read, CsvPieceReader.BYTES_READ.sum(), "no file read by the loads");
    assertEquals(0, ScanHandoff.heldBytes());
    List<ShardLoader.Loaded> fromFiles = List.of(ShardLoader.load(d, range(0, n / 3)),
        ShardLoader.load(d, range(n / 3, n)));
    assertSameBits(fromFiles, fromScan);
  }

  @Test
  void offOrOverBudgetTheFilesAreReadAsBefore() throws IOException {
    List<Path> files = List.of(write("a.csv", 3_001, 1, true), write("c.csv", 2_500, 3, true));
    long handed = ScanHandoff.ROWS_HANDED.sum();
    DatasetSpec off = new DatasetSpec(
        ParquetFormatTest.scan(new CsvFormat(), files, "a,b,c", ANY).source(), 1000);
    assertEquals(0, ScanHandoff.heldBytes(), "off: nothing kept");
    // Room for the first file only: the second is read.
    ScanHandoff.enable(8L * 4 * 3_001);
    DatasetSpec d = new DatasetSpec(
        ParquetFormatTest.scan(new CsvFormat(), files, "a,b,c", ANY).source(), 1000);
    assertEquals(8L * 4 * 3_001, ScanHandoff.heldBytes());
    long read = CsvPieceReader.BYTES_READ.sum();
    List<ShardLoader.Loaded> partly = twoWorkers(d);
    assertEquals(3_001, ScanHandoff.ROWS_HANDED.sum() - handed, "the first file's rows");
    assertTrue(CsvPieceReader.BYTES_READ.sum() > read, "the second file was read");
    assertTrue(partly.get(1).reads().describe().contains("the others read from the files"),
        partly.get(1).reads().describe());
    assertSameBits(twoWorkers(off), partly);
  }

  @Test
  void anotherSelectionOfTheSameFileIsNotHandedTheScansValues() throws IOException {
    List<Path> files = List.of(write("a.csv", 3_001, 1, true));
    ScanHandoff.enable(1L << 30);
    DatasetSpec scanned = new DatasetSpec(
        ParquetFormatTest.scan(new CsvFormat(), files, "a,b,c", ANY).source(), 1000);
    List<String> columns = new ArrayList<>(List.of("c", "b", "a"));
    DatasetSpec other = new DatasetSpec(new DatasetSpec.Source(scanned.source().format(),
        scanned.source().settings(), columns, "y", scanned.examples(),
        scanned.source().digest()), 1000);
    long handed = ScanHandoff.ROWS_HANDED.sum();
    ShardLoader.load(other, range(0, other.numChunks()));
    assertEquals(handed, ScanHandoff.ROWS_HANDED.sum(), "the values are a, b, c's, not c, b, a's");
  }

  @Test
  void parquetColumnsAreHandedOverBitForBitToo() throws IOException {
    Path p1 = dir.resolve("p1.parquet");
    Path p2 = dir.resolve("p2.parquet");
    ParquetFormatTest.writeParquet(p1, 0, 2_345);
    ParquetFormatTest.writeParquet(p2, 2_345, 4_000);
    ScanHandoff.enable(1L << 30);
    // Features in another order than the file's, so each column must land in its own place.
    DatasetSpec d = new DatasetSpec(ParquetFormatTest.scan(new ParquetFormat(),
        List.of(p1, p2), "i64,d,f,i32", ANY).source(), 256);
    assertEquals(8L * 5 * 4_000, ScanHandoff.heldBytes(), "both files kept");
    long handed = ScanHandoff.ROWS_HANDED.sum();
    long read = RowGroupDigests.BYTES_READ.sum();
    List<ShardLoader.Loaded> fromScan = twoWorkers(d);
    assertEquals(4_000, ScanHandoff.ROWS_HANDED.sum() - handed, "rows handed over");
    assertEquals(read, RowGroupDigests.BYTES_READ.sum(), "no row group read by the loads");
    assertEquals(0, ScanHandoff.heldBytes(), "released once every row was taken");
    List<ShardLoader.Loaded> fromFiles = twoWorkers(d);
    assertTrue(RowGroupDigests.BYTES_READ.sum() > read, "the files were read");
    assertSameBits(fromFiles, fromScan);
  }
}
