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
  void aSpreadsheetsEmptyHeaderCellsAreLeftOutAsUnnamedNotAsAnIndex() throws Exception {
    // An Excel export: two empty header cells at the end (a review helper's finding: they
    // were called "pandas index columns").
    Path p = dir.resolve("sheet.csv");
    Files.writeString(p, "x,y,,\n1.5,1,,\n2.5,0,,\n");
    InputFormat.Scanned s = ParquetFormatTest.scan(new CsvFormat(), List.of(p), "*", y -> null);
    assertEquals(List.of("x"), s.source().columns());
    assertEquals(List.of("--features '*': left out 2 columns of sheet.csv without a name "
        + "(empty header cells)"), s.notes());
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

  /** The "pandas" metadata pyarrow 25 wrote for a DataFrame of x, y indexed by 'id'. */
  private static final String NAMED = "{\"index_columns\": [\"id\"], \"column_indexes\": "
      + "[{\"name\": null, \"field_name\": null, \"pandas_type\": \"unicode\", "
      + "\"numpy_type\": \"str\", \"metadata\": {\"encoding\": \"UTF-8\"}}], \"columns\": "
      + "[{\"name\": \"x\", \"field_name\": \"x\", \"pandas_type\": \"float64\", "
      + "\"numpy_type\": \"float64\", \"metadata\": null}, {\"name\": \"y\", \"field_name\": "
      + "\"y\", \"pandas_type\": \"float64\", \"numpy_type\": \"float64\", \"metadata\": "
      + "null}, {\"name\": \"id\", \"field_name\": \"id\", \"pandas_type\": \"int64\", "
      + "\"numpy_type\": \"int64\", \"metadata\": null}], \"attributes\": {}, \"creator\": "
      + "{\"library\": \"pyarrow\", \"version\": \"25.0.1\"}, \"pandas_version\": \"3.0.6\"}";

  private Path indexed(String name, String pandas) {
    Path p = dir.resolve(name);
    ParquetTestFiles.write(p, "message t { required double x; required double y; "
        + "required int64 id; required int64 k2; }", 4, (r, g) -> {
          g.add("x", 1.0 + r);
          g.add("y", 2.0 * r);
          g.add("id", 3 * r);
          g.add("k2", r);
        }, b -> b.withExtraMetaData(java.util.Map.of("pandas", pandas)));
    return p;
  }

  @Test
  void parquetFromToParquetLeavesOutANamedIndex() {
    // df.index.name = 'id'; df.to_parquet(...): pd.read_parquet gives 'id' back as the index.
    Path p = indexed("pdi2.parquet", NAMED);
    InputFormat.Scanned s = ParquetFormatTest.scan(new ParquetFormat(), List.of(p), "*",
        y -> null);
    assertEquals(List.of("x", "k2"), s.source().columns());
    assertEquals(List.of("--features '*': left out pdi2.parquet's pandas index column 'id' "
        + "(to train on one, name it in --features)"), s.notes());
    // Named, the index is still a feature.
    assertEquals(List.of("id", "x"), ParquetFormatTest.scan(new ParquetFormat(), List.of(p),
        "id,x", y -> null).source().columns());
    // Two levels, one a RangeIndex (a description, not a column); keys before index_columns.
    Path two = indexed("two.parquet", "{\"columns\": [{\"name\": \"a]}\\\"\"}], "
        + "\"index_columns\": [{\"kind\": \"range\", \"name\": null, \"start\": 0}, "
        + "\"k2\", \"\\u0069d\"]}");
    InputFormat.Scanned both = ParquetFormatTest.scan(new ParquetFormat(), List.of(two), "*",
        y -> null);
    assertEquals(List.of("x"), both.source().columns());
    assertEquals(List.of("--features '*': left out two.parquet's pandas index columns 'id', "
        + "'k2' (to train on one, name it in --features)"), both.notes());
  }

  @Test
  void aRangeIndexOrMetadataThatDoesNotParseLeavesOutNothing() {
    for (String pandas : List.of("{\"index_columns\": [{\"kind\": \"range\", \"name\": null,"
        + " \"start\": 0, \"stop\": 4, \"step\": 1}], \"columns\": []}", "{\"index_columns\": [",
        "not json")) {
      Path p = indexed("range.parquet", pandas);
      InputFormat.Scanned s = ParquetFormatTest.scan(new ParquetFormat(), List.of(p), "*",
          y -> null);
      assertEquals(List.of("x", "id", "k2"), s.source().columns(), pandas);
      assertEquals(List.of(), s.notes(), pandas);
    }
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
