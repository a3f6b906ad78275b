package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NotUtf8Test {

  private static final DoubleFunction<String> ANY = new InputFormat.OrderFree(y -> null);

  @TempDir
  Path dir;

  /** One Latin-1 byte far into a file (past several read buffers) is named by line and offset. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void latin1ByteDeepInAFileIsNamedByLineAndOffset(int threads) throws Exception {
    Path p = dir.resolve("latin1big.csv");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("x,y,note\n".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 30_000; i++) {
      out.writeBytes((i + "," + i + ",caf\u00e9\n").getBytes(StandardCharsets.UTF_8));
    }
    long offset = out.size();
    out.writeBytes(new byte[] {'7', ',', '1', ',', 'c', (byte) 0xe9, '\n'});
    out.writeBytes("8,2,\n".getBytes(StandardCharsets.US_ASCII));
    Files.write(p, out.toByteArray());
    DataException e = assertThrows(DataException.class, () -> CsvScan.scan(p, List.of("x"), "y",
        ANY, new CsvManifest.Builder(), threads, 0));
    assertEquals(p + ":30002: not UTF-8 text (byte 0xE9 at byte offset " + (offset + 5) + ")",
        e.getMessage());
    DataException header = assertThrows(DataException.class,
        () -> CsvFile.scan(p, List.of("x"), "y"));
    assertEquals(e.getMessage(), header.getMessage());
  }

  @Test
  void headerLineIsNamed() throws Exception {
    Path p = dir.resolve("h.csv");
    Files.write(p, new byte[] {'x', (byte) 0xe9, ',', 'y', '\n', '1', ',', '2', '\n'});
    DataException e = assertThrows(DataException.class, () -> CsvFile.header(p));
    assertEquals(p + ":1: not UTF-8 text (byte 0xE9 at byte offset 1)", e.getMessage());
  }

  @Test
  void gzipParquetAndUtf16AreRecognised() throws Exception {
    check(new byte[] {0x1f, (byte) 0x8b, 8, 0, (byte) 0xe9, 1, 2, 3},
        "gzip data: decompress it first");
    check(new byte[] {'P', 'A', 'R', '1', 0x15, 0, (byte) 0xe9, (byte) 0xff, 'P', 'A', 'R', '1'},
        "a Parquet file: name it *.parquet or pass --format parquet");
    check(new byte[] {(byte) 0xff, (byte) 0xfe, 'x', 0, ',', 0, 'y', 0, '\n', 0},
        "UTF-16 text: save it as UTF-8");
    check(new byte[] {(byte) 0xfe, (byte) 0xff, 0, 'x', 0, ',', 0, 'y', 0, '\n'},
        "UTF-16 text: save it as UTF-8");
  }

  @Test
  void aParquetFileNamedSoIsNotToldToBeRenamed() throws Exception {
    // --format csv on clean.parquet: the name is right, the format is not.
    check("clean.parquet", new byte[] {'P', 'A', 'R', '1', 0x15, 0, (byte) 0xe9, 'P', 'A', 'R',
        '1'}, "a Parquet file: pass --format parquet (or leave --format out)");
  }

  private void check(byte[] bytes, String hint) throws Exception {
    check("data.csv", bytes, hint);
  }

  private void check(String name, byte[] bytes, String hint) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    DataException e = assertThrows(DataException.class, () -> CsvScan.scan(p, List.of("x"), "y",
        ANY, new CsvManifest.Builder(), 1, Long.MAX_VALUE));
    assertEquals(p + ": not UTF-8 text: " + hint, e.getMessage());
  }
}
