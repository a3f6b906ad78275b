package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.protocol.DatasetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset of several files leaves out the files with no rows, as pyarrow and Spark do. */
class EmptyPartsTest {

  private static final String FEATURES = "d,f,i32,i64";

  @TempDir
  Path dir;

  @Test
  void anEmptyCsvPartIsSkippedAndTheDataAreThoseOfTheOthers() throws Exception {
    Path a = dir.resolve("part-00000.csv");
    Path b = dir.resolve("part-00001.csv");
    Path c = dir.resolve("part-00002.csv");
    ParquetFormatTest.writeCsv(a, 0, 50);
    Files.writeString(b, "d,f,i32,i64,y\n\n");
    ParquetFormatTest.writeCsv(c, 50, 100);
    same(new CsvFormat(), a, b, c);
  }

  @Test
  void anEmptyParquetPartIsSkippedAndTheDataAreThoseOfTheOthers() {
    Path a = dir.resolve("part-0.parquet");
    Path b = dir.resolve("part-1.parquet");
    Path c = dir.resolve("part-2.parquet");
    ParquetFormatTest.writeParquet(a, 0, 50);
    ParquetTestFiles.write(b, ParquetFormatTest.SCHEMA, 0, (r, g) -> { }, x -> x);
    ParquetFormatTest.writeParquet(c, 50, 100);
    same(new ParquetFormat(), a, b, c);
  }

  /** With {@code b} empty, {@code [a, b, c]} are the data of {@code [a, c]}, bit for bit. */
  private static void same(InputFormat format, Path a, Path b, Path c) {
    InputFormat.Scanned all = ParquetFormatTest.scan(format, List.of(a, b, c), FEATURES,
        y -> null);
    InputFormat.Scanned two = ParquetFormatTest.scan(format, List.of(a, c), FEATURES, y -> null);
    assertEquals(List.of("--data: skipped 1 of 3 files, which hold no rows (" + b.getFileName()
        + ")"), all.notes());
    assertEquals(List.of(), two.notes());
    assertEquals(100, all.source().examples());
    assertEquals(two.source().digest(), all.source().digest(), "the identity: non-empty files");
    assertEquals(two.source().settings(), all.source().settings());
    assertEquals(all.source().digest(), format.digestNow(all.source()));
    double[][] x = ParquetFormatTest.loadAll(new DatasetSpec(all.source(), 16));
    double[][] y = ParquetFormatTest.loadAll(new DatasetSpec(two.source(), 16));
    for (int k = 0; k < x.length; k++) {
      assertArrayEquals(y[k], x[k]);
    }
  }

  @Test
  void anEmptyPartStillNeedsTheSameColumns() throws Exception {
    Path a = dir.resolve("a.csv");
    Path b = dir.resolve("b.csv");
    ParquetFormatTest.writeCsv(a, 0, 10);
    Files.writeString(b, "d,f,y\n");
    String m = assertThrows(DataException.class, () -> ParquetFormatTest.scan(new CsvFormat(),
        List.of(a, b), FEATURES, y -> null)).getMessage();
    assertTrue(m.startsWith(b + ": its columns differ from those of " + a), m);
  }

  @Test
  void aDatasetOfEmptyFilesIsRefusedAsBefore() throws Exception {
    Path a = dir.resolve("a.csv");
    Path b = dir.resolve("b.csv");
    Files.writeString(a, "d,f,i32,i64,y\n");
    Files.writeString(b, "d,f,i32,i64,y\n");
    assertEquals(a + ": no data rows after the header", assertThrows(DataException.class,
        () -> ParquetFormatTest.scan(new CsvFormat(), List.of(a, b), FEATURES, y -> null))
        .getMessage());
    assertEquals(a + ": no data rows after the header", assertThrows(DataException.class,
        () -> ParquetFormatTest.scan(new CsvFormat(), List.of(a), FEATURES, y -> null))
        .getMessage());
    Path p = dir.resolve("a.parquet");
    Path q = dir.resolve("b.parquet");
    ParquetTestFiles.write(p, ParquetFormatTest.SCHEMA, 0, (r, g) -> { }, x -> x);
    ParquetTestFiles.write(q, ParquetFormatTest.SCHEMA, 0, (r, g) -> { }, x -> x);
    assertEquals(p + ": no rows", assertThrows(DataException.class,
        () -> ParquetFormatTest.scan(new ParquetFormat(), List.of(p, q), FEATURES, y -> null))
        .getMessage());
  }
}
