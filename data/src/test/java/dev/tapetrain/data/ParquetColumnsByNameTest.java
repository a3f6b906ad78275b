package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of one Parquet dataset are matched by column name, as pyarrow's datasets match
 * them: the same names and types in another order are the same columns; a missing or retyped
 * column is still refused in one line naming the file. And a BOOLEAN column reads as exactly
 * 0.0 and 1.0.
 */
class ParquetColumnsByNameTest {

  @TempDir
  Path dir;

  private static final String FEATURES = "d,f,i32,i64";

  /** Rows {@code [from, to)} of ParquetFormatTest's data with the columns in {@code schema}. */
  private static void write(Path p, String schema, long from, long to) {
    ParquetTestFiles.write(p, schema, to - from, (k, g) -> {
      long r = from + k;
      if (schema.contains(" d;")) {
        g.add("d", ParquetFormatTest.d(r));
      }
      g.add("f", (float) ParquetFormatTest.f(r));
      g.add("i32", (int) ParquetFormatTest.i32(r));
      if (schema.contains("int64 i64")) {
        g.add("i64", (long) ParquetFormatTest.i64(r));
      } else if (schema.contains("double i64")) {
        g.add("i64", ParquetFormatTest.i64(r));
      }
      g.add("y", ParquetFormatTest.y(r));
    }, b -> b.withRowGroupRowCountLimit(300).withPageRowCountLimit(64)
        .withCompressionCodec(CompressionCodecName.SNAPPY));
  }

  private static final String REVERSED = "message t { required double y; required int64 i64;"
      + " required int32 i32; required float f; required double d; }";

  @Test
  void filesWithTheSameColumnsInAnotherOrderAreOneDatasetAsOneFileIs() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("parts"));
    Path one = dir.resolve("one.parquet");
    Path a = dir.resolve("parts/a.parquet");
    Path b = dir.resolve("parts/b.parquet");
    write(one, ParquetFormatTest.SCHEMA, 0, 1000);
    write(a, ParquetFormatTest.SCHEMA, 0, 430);
    write(b, REVERSED, 430, 1000);
    for (String features : List.of(FEATURES, "*")) {
      double[][] whole = ParquetFormatTest.loadAll(new DatasetSpec(ParquetFormatTest.scan(
          new ParquetFormat(), List.of(one), features, y -> null).source(), 128));
      InputFormat.Scanned parts = ParquetFormatTest.scan(new ParquetFormat(), List.of(a, b),
          features, y -> null);
      assertEquals(List.of("d", "f", "i32", "i64"), parts.source().columns(), features);
      double[][] split = ParquetFormatTest.loadAll(new DatasetSpec(parts.source(), 128));
      for (int c = 0; c < whole.length; c++) {
        assertArrayEquals(whole[c], split[c], features + ": column " + c);
      }
      // and the other way round: the first file's order is the features' order for '*'
      InputFormat.Scanned back = ParquetFormatTest.scan(new ParquetFormat(), List.of(b, a),
          features, y -> null);
      assertEquals(features.equals("*") ? List.of("i64", "i32", "f", "d")
          : List.of("d", "f", "i32", "i64"), back.source().columns());
    }
  }

  @Test
  void aMissingOrRetypedColumnIsStillRefusedInOneLineNamingTheFile() {
    Path a = dir.resolve("a.parquet");
    Path noD = dir.resolve("nod.parquet");
    Path retyped = dir.resolve("retyped.parquet");
    write(a, ParquetFormatTest.SCHEMA, 0, 100);
    write(noD, REVERSED.replace(" required double d;", ""), 100, 200);
    write(retyped, REVERSED.replace("int64 i64", "double i64"), 100, 200);
    for (Path bad : List.of(noD, retyped)) {
      String m = assertThrows(DataException.class, () -> ParquetFormatTest.scan(
          new ParquetFormat(), List.of(a, bad), FEATURES, y -> null)).getMessage();
      assertTrue(m.startsWith(bad + ": its columns differ from those of " + a + " (schema "),
          m);
      assertEquals(-1, m.indexOf('\n'), m);
    }
    String m = assertThrows(DataException.class, () -> ParquetFormatTest.scan(
        new ParquetFormat(), List.of(a, noD), FEATURES, y -> null)).getMessage();
    assertTrue(m.endsWith("; first difference: 'required float f' against "
        + "'required double d'"), m);
  }

  @Test
  void aBooleanColumnReadsAsExactlyZeroAndOneInPagesV1AndV2() {
    for (ParquetProperties.WriterVersion v : ParquetProperties.WriterVersion.values()) {
      Path p = dir.resolve("bool-" + v + ".parquet");
      ParquetTestFiles.write(p, "message t { required double x; required boolean b;"
          + " optional boolean ob; }", 1000, (r, g) -> {
            g.add("x", r * 0.5);
            g.add("b", r % 3 == 0);
            g.add("ob", r % 7 < 2);
          }, w -> w.withRowGroupRowCountLimit(300).withPageRowCountLimit(64)
              .withWriterVersion(v));
      InputFormat.Scanned s = ParquetFormatTest.scan(new ParquetFormat(), List.of(p), "x,ob",
          y -> y == 0 || y == 1 ? null : "not a class label", "b");
      double[][] got = ParquetFormatTest.loadAll(new DatasetSpec(s.source(), 128));
      for (int r = 0; r < 1000; r++) {
        // raw bits: 0.0, never -0.0
        assertEquals(Double.doubleToRawLongBits(r % 7 < 2 ? 1.0 : 0.0),
            Double.doubleToRawLongBits(got[1][r]), v + ": ob at row " + r);
        assertEquals(Double.doubleToRawLongBits(r % 3 == 0 ? 1.0 : 0.0),
            Double.doubleToRawLongBits(got[2][r]), v + ": b at row " + r);
      }
      assertEquals(1.0, s.maxTarget());
    }
  }

  @Test
  void aNullInABooleanColumnIsRefusedNamingRowAndColumn() {
    Path p = dir.resolve("null.parquet");
    ParquetTestFiles.write(p, "message t { required double x; optional boolean ob;"
        + " required double y; }", 500, (r, g) -> {
          g.add("x", r * 0.5);
          if (r != 321) {
            g.add("ob", r % 2 == 0);
          }
          g.add("y", 1.0);
        }, w -> w.withRowGroupRowCountLimit(300).withPageRowCountLimit(64));
    assertEquals(p + ": row 321 (row group 1, row 21 in it): column 'ob' is null",
        assertThrows(DataException.class, () -> ParquetFormatTest.scan(new ParquetFormat(),
            List.of(p), "x,ob", y -> null)).getMessage());
  }
}
