package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --features '*'} leaves out the index column pandas writes by default. */
class PandasIndexTest {

  @TempDir
  Path dir;

  @Test
  void csvFromToCsvLeavesOutTheUnnamedIndex() throws Exception {
    Path p = dir.resolve("pandas.csv");
    Files.writeString(p, ",a,b,y\n0,1.5,2,1\n1,2.5,3,0\n");
    InputFormat.Scanned s = ParquetFormatTest.scan(new CsvFormat(), List.of(p), "*", y -> null);
    assertEquals(List.of("a", "b"), s.source().columns());
    assertEquals("a,b", s.source().settings().get("features"), "config.json's resolved list");
    assertEquals(List.of("--features '*': left out pandas.csv's pandas index column '' "
        + "(unnamed) (to train on one, name it in --features)"), s.notes());
  }

  @Test
  void parquetFromToParquetLeavesOutIndexLevels() {
    Path p = dir.resolve("pandas.parquet");
    ParquetTestFiles.write(p, "message t { required double a; required int64 __index_level_0__;"
        + " required int64 __index_level_1__; required double y; }", 3, (r, g) -> {
          g.add("a", 1.0 + r);
          g.add("__index_level_0__", r);
          g.add("__index_level_1__", r);
          g.add("y", 1.0);
        }, x -> x);
    InputFormat.Scanned s = ParquetFormatTest.scan(new ParquetFormat(), List.of(p), "*",
        y -> null);
    assertEquals(List.of("a"), s.source().columns());
    assertEquals(List.of("--features '*': left out pandas.parquet's pandas index columns "
        + "'__index_level_0__', '__index_level_1__' (to train on one, name it in --features)"),
        s.notes());
    // Named, the index is still a feature.
    assertEquals(List.of("__index_level_0__", "a"), ParquetFormatTest.scan(new ParquetFormat(),
        List.of(p), "__index_level_0__,a", y -> null).source().columns());
  }

  @Test
  void ordinaryColumnsAreKept() throws Exception {
    Path p = dir.resolve("plain.csv");
    Files.writeString(p, "index,__index__,a,y\n0,1,1.5,1\n");
    InputFormat.Scanned s = ParquetFormatTest.scan(new CsvFormat(), List.of(p), "*", y -> null);
    assertEquals(List.of("index", "__index__", "a"), s.source().columns());
    assertEquals(List.of(), s.notes());
  }
}
