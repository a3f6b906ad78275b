package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsvFileTest {

  @TempDir
  Path dir;

  private Path write(String content) throws IOException {
    Path p = dir.resolve("data.csv");
    Files.write(p, content.getBytes(StandardCharsets.UTF_8));
    return p;
  }

  @Test
  void realWorldFilesParse() throws Exception {
    // BOM, CRLF, spaces, quotes, an extra column, a blank line, exponent notation.
    String text = "\uFEFFid, x ,y\r\n1, 1.5 ,\"2\"\r\n\r\n2,-3e-1, +.5\r\n3,\"7\",8.\r\n";
    Path p = write(text);
    List<double[]> rows = new ArrayList<>();
    String sha = CsvFile.read(p, List.of("x"), "y", r -> true,
        (row, x, y) -> rows.add(new double[] {row, x[0], y}));
    assertEquals(3, rows.size());
    assertArrayEquals(new double[] {0, 1.5, 2}, rows.get(0));
    assertArrayEquals(new double[] {1, -0.3, 0.5}, rows.get(1));
    assertArrayEquals(new double[] {2, 7, 8}, rows.get(2));
    String expected = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, sha);
    assertEquals(new CsvFile.Scan(3, expected), CsvFile.scan(p, List.of("x"), "y"));
  }

  @Test
  void filterSkipsUnwantedRowsButCountsThem() throws Exception {
    Path p = write("x,y\n1,2\nbad-but-unwanted,3\n5,6\n");
    List<Long> seen = new ArrayList<>();
    CsvFile.read(p, List.of("x"), "y", r -> r != 1, (row, x, y) -> seen.add(row));
    assertEquals(List.of(0L, 2L), seen);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not a number | x,y\\n1,2\\n3,abc\\n | data.csv:3: column 'y': 'abc' is not a number",
      "NaN          | x,y\\n1,NaN\\n | data.csv:2: column 'y': 'NaN' is not a number",
      "infinity     | x,y\\nInfinity,1\\n | data.csv:2: column 'x': 'Infinity' is not a number",
      "overflow     | x,y\\n1e999,1\\n | data.csv:2: column 'x': '1e999' overflows a double",
      "too few      | x,y\\n1,2\\n3\\n | data.csv:3: expected 2 cells as in the header, found 1",
      "too many     | x,y\\n1,2,3\\n | data.csv:2: expected 2 cells as in the header, found 3",
      "empty cell   | x,y\\n1,\\n | data.csv:2: column 'y' is empty",
      "no column    | a,y\\n1,2\\n | data.csv:1: no column 'x' in header [a, y]",
      "header only  | x,y\\n | data.csv: no data rows after the header",
      "empty file   | '' | data.csv: file is empty (expected a header row such as 'x,y')",
      "open quote   | x,y\\n\"1,2\\n | data.csv:2: unterminated quote (a quoted cell must close on its own line: line breaks inside quotes are not supported)",
      "quoted break | x,y,note\\n1,2,\"a\\nb\"\\n | data.csv:2: unterminated quote (a quoted cell must close on its own line: line breaks inside quotes are not supported)",
      "dup header   | x,y,x\\n1,2,3\\n | data.csv:1: column 'x' appears twice in the header",
      "dup target   | x,y,y\\n1,2,3\\n | data.csv:1: column 'y' appears twice in the header",
      "semicolons   | x;y\\n1;2\\n | data.csv:1: no column 'x' in header [x;y] (one column: are the columns separated by ';'? only commas separate columns here)",
      "tabs         | x\ty\\n1\t2\\n | data.csv:1: no column 'x' in header [x\ty] (one column: are the columns separated by tabs? only commas separate columns here)",
      "BOM only     | \uFEFF | data.csv: file is empty (expected a header row such as 'x,y')",
      "BOM, blank   | \uFEFF\\n\\n | data.csv: file is empty (expected a header row such as 'x,y')",
      "NUL in cell  | x,y\\n1,2\\0\\n | data.csv:2: a NUL byte at character 4 (binary data, or not a CSV file)",
      "NUL unused   | x,y,z\\n1,2,\\0\\n | data.csv:2: a NUL byte at character 5 (binary data, or not a CSV file)"})
  void badDataNamesFileLineAndProblem(String name, String content, String message)
      throws Exception {
    Path p = write(content.replace("\\n", "\n").replace("\\0", "\0"));
    DataException e = assertThrows(DataException.class, () -> CsvFile.scan(p, List.of("x"), "y"));
    // The expected messages start with the file name; the real one has the full path.
    assertEquals(dir.resolve("data.csv") + message.substring("data.csv".length()),
        e.getMessage());
  }

  @Test
  void unusedColumnsMayShareANameAsASpreadsheetsEmptyOnes() throws Exception {
    // An Excel export: two trailing columns with no name and no values.
    Path p = write("x,y,,\n1,2,,\n3,5,,\n");
    assertEquals(2, CsvFile.scan(p, List.of("x"), "y").rows());
  }

  @Test
  void aDirectoryIsNamedAsOne() {
    DataException e = assertThrows(DataException.class,
        () -> CsvFile.scan(dir, List.of("x"), "y"));
    assertEquals(dir + ": is a directory, not a CSV file", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a,a | y | --features: column 'a' is listed twice",
      "a,y | y | --features: column 'y' is the target (--target) and cannot be a feature too"})
  void aColumnSelectionNamesItsProblem(String features, String target, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CsvFile.checkSelection(List.of(features.split(",")), target));
    assertEquals(message, e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    Path p = dir.resolve("missing.csv");
    DataException e = assertThrows(DataException.class, () -> CsvFile.scan(p, List.of("x"), "y"));
    assertEquals(p + ": no such file", e.getMessage());
  }

  @Test
  void invalidUtf8IsRefused() throws Exception {
    Path p = dir.resolve("latin1.csv");
    Files.write(p, new byte[] {'x', ',', 'y', '\n', (byte) 0xe9, ',', '1', '\n'});
    DataException e = assertThrows(DataException.class, () -> CsvFile.scan(p, List.of("x"), "y"));
    assertEquals(p + ":2: not UTF-8 text (byte 0xE9 at byte offset 4)", e.getMessage());
  }
}
