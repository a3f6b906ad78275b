package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.parquet.ParquetColumns;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.stream.IntStream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet files written here with parquet-java's own writer, read by the parquet format. */
class ParquetFormatTest {

  @TempDir
  Path dir;

  private static final int N = 1000;
  static final String SCHEMA = "message t { required double d; required float f;"
      + " required int32 i32; required int64 i64; required double y; }";
  private static final String FEATURES = "d,f,i32,i64";

  /** The values written, computed independently of any reader. */
  static double d(long r) {
    return Math.sin(r) * 1e3;
  }

  static double f(long r) {
    return (float) (r * 0.3f);
  }

  static double i32(long r) {
    return (int) (r * 7 - 3000);
  }

  static double i64(long r) {
    return r * 4096L - (1L << 40);
  }

  static double y(long r) {
    return d(r) + 2 * i32(r);
  }

  /** Rows {@code [from, to)} of the test data, in several row groups and pages. */
  static void writeParquet(Path p, long from, long to) {
    ParquetTestFiles.write(p, SCHEMA, to - from, (k, g) -> {
      long r = from + k;
      g.add("d", d(r));
      g.add("f", (float) f(r));
      g.add("i32", (int) i32(r));
      g.add("i64", (long) i64(r));
      g.add("y", y(r));
    }, b -> b.withRowGroupRowCountLimit(300).withPageRowCountLimit(64)
        .withCompressionCodec(CompressionCodecName.GZIP));
  }

  /** The same rows as CSV, each value printed so that it reads back to the same double. */
  static void writeCsv(Path p, long from, long to) throws IOException {
    StringBuilder s = new StringBuilder("d,f,i32,i64,y\n");
    for (long r = from; r < to; r++) {
      s.append(d(r)).append(',').append(f(r)).append(',').append((long) i32(r)).append(',')
          .append((long) i64(r)).append(',').append(y(r)).append('\n');
    }
    Files.writeString(p, s);
  }

  static InputFormat.Scanned scan(InputFormat format, List<Path> files, String features,
      DoubleFunction<String> check) {
    return scan(format, files, features, check, "y");
  }

  static InputFormat.Scanned scan(InputFormat format, List<Path> files, String features,
      DoubleFunction<String> check, String target) {
    return format.scan(new InputFormat.Request(files.get(0), Settings.of(format.settings(),
        Map.of("features", features, "target", target), n -> "--" + n), 0, 0, check, files));
  }

  /** Every sample of the dataset, loaded chunk by chunk: {@code [features..., y][sample]}. */
  static double[][] loadAll(DatasetSpec dataset) {
    List<Integer> all = IntStream.range(0, dataset.numChunks()).boxed().toList();
    ShardLoader.Loaded loaded = ShardLoader.load(dataset, all);
    Segment seg = loaded.segments().get(0);
    double[][] out = new double[dataset.features() + 1][];
    System.arraycopy(seg.x(), 0, out, 0, dataset.features());
    out[dataset.features()] = seg.y();
    return out;
  }

  @Test
  void aScanDescribesTheFileAndALoadReadsExactlyTheValuesOfItsChunks() {
    Path p = dir.resolve("t.parquet");
    writeParquet(p, 0, N);
    try (ParquetColumns c = ParquetColumns.open(p)) {
      assertEquals(4, c.rowGroups().size(), "the test needs several row groups");
    }
    InputFormat.Scanned s = scan(new ParquetFormat(), List.of(p), FEATURES, y -> null);
    assertEquals("parquet", s.source().format());
    assertEquals(N, s.source().rows());
    assertEquals(RowGroupDigests.identity(s.source().setting(RowGroupDigests.SETTING)),
        s.source().digest());
    assertEquals(p.toString(), s.source().setting("path"));
    // chunks of 128 cross the row groups of 300 rows
    DatasetSpec dataset = new DatasetSpec(s.source(), 128);
    ShardLoader.Loaded loaded = ShardLoader.load(dataset, List.of(2, 3, 7));
    assertEquals(s.source().digest(), loaded.digest());
    for (Segment seg : loaded.segments()) {
      for (int k = 0; k < seg.chunks(); k++) {
        int c = seg.firstChunk() + k;
        for (int i = 0; i < seg.length(c); i++) {
          long r = dataset.chunkStart(c) + i;
          int at = seg.start(c) + i;
          assertEquals(d(r), seg.x()[0][at], "d, row " + r);
          assertEquals(f(r), seg.x()[1][at], "f, row " + r);
          assertEquals(i32(r), seg.x()[2][at], "i32, row " + r);
          assertEquals(i64(r), seg.x()[3][at], "i64, row " + r);
          assertEquals(y(r), seg.y()[at], "y, row " + r);
        }
      }
    }
  }

  @Test
  void theSameDataAsCsvAndAsParquetLoadTheSameBits() throws IOException {
    Path parquet = dir.resolve("t.parquet");
    Path csv = dir.resolve("t.csv");
    writeParquet(parquet, 0, N);
    writeCsv(csv, 0, N);
    double[][] a = loadAll(new DatasetSpec(scan(new ParquetFormat(), List.of(parquet), FEATURES,
        y -> null).source(), 64));
    double[][] b = loadAll(new DatasetSpec(scan(new CsvFormat(), List.of(csv), FEATURES,
        y -> null).source(), 64));
    for (int c = 0; c < a.length; c++) {
      for (int i = 0; i < N; i++) {
        assertEquals(Double.doubleToRawLongBits(b[c][i]), Double.doubleToRawLongBits(a[c][i]),
            "column " + c + ", row " + i);
      }
    }
  }

  @Test
  void rowsSplitOverSeveralFilesLoadAsOneFileAndEachFileIsVerified() throws IOException {
    Path one = dir.resolve("one.parquet");
    writeParquet(one, 0, N);
    Path parts = Files.createDirectory(dir.resolve("parts"));
    // named so that code-point order is the row order: 1 < 2 < 3 < a
    writeParquet(parts.resolve("part-1.parquet"), 0, 250);
    writeParquet(parts.resolve("part-2.parquet"), 250, 700);
    writeParquet(parts.resolve("part-3.parquet"), 700, 1000);
    List<Path> files = DataPaths.resolve(List.of(parts.toString()), new ParquetFormat()::reads);
    InputFormat.Scanned split = scan(new ParquetFormat(), files, FEATURES, y -> null);
    assertEquals(N, split.source().rows());
    assertEquals("250,450,300", split.source().setting("file-rows"));
    double[][] whole = loadAll(new DatasetSpec(scan(new ParquetFormat(), List.of(one), FEATURES,
        y -> null).source(), 100));
    double[][] fromParts = loadAll(new DatasetSpec(split.source(), 100));
    for (int c = 0; c < whole.length; c++) {
      assertTrue(java.util.Arrays.equals(whole[c], fromParts[c]), "column " + c);
    }
    // a worker whose copy of a file it reads differs is refused, naming that file; one that
    // reads no row of that file verifies only what it reads (since the row-group digests)
    writeParquet(parts.resolve("part-2.parquet"), 251, 701);
    DatasetSpec dataset = new DatasetSpec(split.source(), 100);
    assertEquals(split.source().digest(), ShardLoader.load(dataset, List.of(0)).digest());
    DataException e = assertThrows(DataException.class,
        () -> ShardLoader.load(dataset, List.of(3)));
    assertTrue(e.getMessage().startsWith(parts.resolve("part-2.parquet")
        + ": this copy differs from the coordinator's"), e.getMessage());
    assertTrue(!new ParquetFormat().digestNow(split.source()).equals(split.source().digest()),
        "a resumed run sees the change");
  }

  private String refusal(String schema, long rows, ParquetTestFiles.Row row, String features) {
    Path p = dir.resolve("bad.parquet");
    ParquetTestFiles.write(p, schema, rows, row, b -> b.withRowGroupRowCountLimit(100));
    return assertThrows(DataException.class,
        () -> scan(new ParquetFormat(), List.of(p), features, y -> null)).getMessage();
  }

  @Test
  void badValuesAreRefusedNamingFileRowGroupRowAndColumn() {
    String p = dir.resolve("bad.parquet").toString();
    assertEquals(p + ": row 250 (row group 2, row 50 in it): column 'x' is null",
        refusal("message t { optional double x; required double y; }", 300, (r, g) -> {
          if (r != 250) {
            g.add("x", 1.0);
          }
          g.add("y", 0.0);
        }, "x"));
    assertEquals(p + ": row 7 (row group 0, row 7 in it): column 'x' is NaN",
        refusal("message t { required double x; required double y; }", 10, (r, g) -> {
          g.add("x", r == 7 ? Double.NaN : 1.0);
          g.add("y", 0.0);
        }, "x"));
    assertEquals(p + ": row 3 (row group 0, row 3 in it): column 'n' is 9007199254740993, "
            + "which has no exact double (more than 53 significant bits)",
        refusal("message t { required int64 n; required double y; }", 5, (r, g) -> {
          g.add("n", r == 3 ? (1L << 53) + 1 : r);
          g.add("y", 0.0);
        }, "n"));
    assertEquals(p + ": row 1 (row group 0, row 1 in it): column 'm' is 0.1, which has no "
            + "exact double (a decimal column; to train on its nearest doubles, write it as "
            + "float64)",
        refusal("message t { required int32 m (DECIMAL(9,1)); required double y; }", 2,
            (r, g) -> {
              g.add("m", r == 1 ? 1 : 5); // 0.5 is exact, 0.1 is not
              g.add("y", 0.0);
            }, "m"));
  }

  /**
   * float16 columns (a 2-byte fixed-length array annotated FLOAT16, little-endian IEEE half)
   * widen to float64 exactly: every half is a double. The expected doubles are the half format's
   * definition, written out: 1, −2.5, the largest half 65504, the smallest subnormal 2^-24, −0,
   * and 0x3555 = 1 + 341/1024 times 2^-2. In dictionary and plain pages alike; ±∞ and NaN are
   * refused as a float's are. (Refused as "not a number" until 2026-12-07, while the README
   * said any numeric type widens.)
   */
  @Test
  void float16ColumnsWidenExactlyAndTheirInfinitiesAreRefused() {
    int[] bits = {0x3C00, 0xC100, 0x7BFF, 0x0001, 0x8000, 0x3555};
    double[] expected = {1.0, -2.5, 65504.0, 0x1p-24, -0.0, (1 + 341 / 1024.0) / 4};
    String schema = "message t { required fixed_len_byte_array(2) h (FLOAT16); "
        + "required double y; }";
    for (boolean dictionary : new boolean[] {true, false}) {
      Path p = dir.resolve("half-" + dictionary + ".parquet");
      ParquetTestFiles.write(p, schema, 60, (r, g) -> {
        int h = bits[(int) (r % bits.length)];
        g.add("h", org.apache.parquet.io.api.Binary.fromConstantByteArray(
            new byte[] {(byte) h, (byte) (h >> 8)}));
        g.add("y", (double) r);
      }, b -> b.withDictionaryEncoding(dictionary).withPageRowCountLimit(16));
      InputFormat.Scanned s = scan(new ParquetFormat(), List.of(p), "h", y -> null);
      DatasetSpec dataset = new DatasetSpec(s.source(), 7);
      List<Integer> all = new java.util.ArrayList<>();
      for (int c = 0; c < dataset.numChunks(); c++) {
        all.add(c);
      }
      for (Segment seg : ShardLoader.load(dataset, all).segments()) {
        for (int c = seg.firstChunk(); c < seg.firstChunk() + seg.chunks(); c++) {
          for (int i = 0; i < seg.length(c); i++) {
            long r = dataset.chunkStart(c) + i;
            double want = expected[(int) (r % bits.length)];
            assertEquals(Double.doubleToRawLongBits(want),
                Double.doubleToRawLongBits(seg.x()[0][seg.start(c) + i]),
                "row " + r + " (dictionary " + dictionary + ")");
          }
        }
      }
    }
    String p = dir.resolve("bad.parquet").toString();
    for (int[] bad : new int[][] {{0x7C00, 0}, {0xFC00, 1}, {0x7E00, 2}}) {
      String what = new String[] {"Infinity", "-Infinity", "NaN"}[bad[1]];
      assertEquals(p + ": row 1 (row group 0, row 1 in it): column 'h' is " + what,
          refusal(schema, 3, (r, g) -> {
            int h = r == 1 ? bad[0] : 0x3C00;
            g.add("h", org.apache.parquet.io.api.Binary.fromConstantByteArray(
                new byte[] {(byte) h, (byte) (h >> 8)}));
            g.add("y", 0.0);
          }, "h"));
    }
  }

  @Test
  void columnsThatAreNotNumbersAreRefusedTogether() {
    String p = dir.resolve("bad.parquet").toString();
    assertEquals(p + ": cannot read columns as numbers: 's' is not a number (a string); "
            + "'g' is nested (a group); 'zz' is not in the file (it has: s, g, y)",
        refusal("message t { required binary s (STRING); optional group g { required double "
            + "x; } required double y; }", 1, (r, g) -> {
              g.add("s", "a");
              g.add("y", 0.0);
            }, "s,g,zz"));
  }

  @Test
  void aCorruptOrEmptyFileIsRefusedInOneLine() throws IOException {
    Path p = dir.resolve("t.parquet");
    writeParquet(p, 0, 10);
    byte[] bytes = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(bytes, bytes.length - 12)); // footer cut
    String cut = assertThrows(DataException.class,
        () -> scan(new ParquetFormat(), List.of(p), FEATURES, y -> null)).getMessage();
    assertTrue(cut.startsWith(p + ": not a readable Parquet file ("), cut);
    assertEquals(-1, cut.indexOf('\n'));
    Files.write(p, new byte[0]);
    String empty = assertThrows(DataException.class,
        () -> scan(new ParquetFormat(), List.of(p), FEATURES, y -> null)).getMessage();
    assertTrue(empty.startsWith(p + ": not a readable Parquet file ("), empty);
    Path none = dir.resolve("none.parquet");
    ParquetTestFiles.write(none, SCHEMA, 0, (r, g) -> { }, b -> b);
    assertEquals(none + ": no rows", assertThrows(DataException.class,
        () -> scan(new ParquetFormat(), List.of(none), FEATURES, y -> null)).getMessage());
  }

  @Test
  void filesOfOneDatasetNeedTheSameSchemaAndTargetsAreChecked() {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    writeParquet(a, 0, 10);
    ParquetTestFiles.write(b, "message t { required double d; required double f; required "
        + "int32 i32; required int64 i64; required double y; }", 3, (r, g) -> {
          g.add("d", 1.0);
          g.add("f", 1.0);
          g.add("i32", 1);
          g.add("i64", 1L);
          g.add("y", 1.0);
        }, x -> x);
    String m = assertThrows(DataException.class,
        () -> scan(new ParquetFormat(), List.of(a, b), FEATURES, y -> null)).getMessage();
    assertTrue(m.startsWith(b + ": its columns differ from those of " + a + " (schema "), m);
    assertTrue(m.contains("; first difference: '"), m);
    assertEquals("; first difference: 'required int64 k' against 'required double k'",
        FileFormat.firstDifference("schema message t { required double a; required int64 k; }",
            "schema message t { required double a; required double k; }"));
    assertEquals("; first difference: nothing against 'required double z'",
        FileFormat.firstDifference("message t { required double a; }",
            "message t { required double a; required double z; }"));
    assertEquals("", FileFormat.firstDifference("header [x, y]", "header [x, y]"));
    String label = assertThrows(DataException.class, () -> scan(new ParquetFormat(),
        List.of(a), FEATURES, v -> v == y(3) ? "not a class label" : null)).getMessage();
    assertEquals(a + ": row 3 (row group 0, row 3 in it): column 'y': not a class label", label);
    List<String> features = new ArrayList<>(List.of("d", "f", "i32", "i64"));
    assertEquals(features, scan(new ParquetFormat(), List.of(a), "*", y -> null).source()
        .columns(), "'*' is every column but the target");
  }
}
