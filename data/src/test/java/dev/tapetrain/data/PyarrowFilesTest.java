package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.protocol.DatasetSpec;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by pyarrow (src/test/resources/pyarrow, made by make_files.py beside them): each
 * page codec this reader has, data page v2 and BYTE_STREAM_SPLIT, read to the exact values the
 * script wrote; BROTLI is refused in one line naming file, row group, column and codec.
 */
class PyarrowFilesTest {

  private static Path file(String name) throws URISyntaxException {
    return Path.of(PyarrowFilesTest.class.getResource("/pyarrow/" + name).toURI());
  }

  @ParameterizedTest
  @ValueSource(strings = {"snappy.parquet", "lz4.parquet", "gzip.parquet", "zstd.parquet",
      "v2-split.parquet"})
  void everyValueIsTheOneTheScriptWrote(String name) throws Exception {
    Path p = file(name);
    InputFormat.Scanned s = ParquetFormatTest.scan(new ParquetFormat(), List.of(p),
        "f,i32,i64,dec", y -> null, "d");
    assertEquals(600, s.source().rows());
    double[][] all = ParquetFormatTest.loadAll(new DatasetSpec(s.source(), 64));
    for (int k = 0; k < 600; k++) {
      assertEquals(k * 0.25, all[0][k], name + " f " + k);
      assertEquals(k - 300, all[1][k], name + " i32 " + k);
      assertEquals(k * 1_000_003L - 1_000_000_000L, all[2][k], name + " i64 " + k);
      assertEquals(k / 4.0, all[3][k], name + " dec " + k);
      assertEquals(k * 0.5 - 7.25, all[4][k], name + " d " + k);
    }
  }

  @org.junit.jupiter.api.Test
  void brotliPagesAreRefusedNamingTheCodec() throws Exception {
    Path p = file("brotli.parquet");
    assertEquals(p + ": row group 0: column 'd' is compressed with BROTLI, which is not "
        + "supported (supported: UNCOMPRESSED, SNAPPY, GZIP, LZ4_RAW, ZSTD)",
        assertThrows(DataException.class, () -> ParquetFormatTest.scan(new ParquetFormat(),
            List.of(p), "f", y -> null, "d")).getMessage());
  }
}
