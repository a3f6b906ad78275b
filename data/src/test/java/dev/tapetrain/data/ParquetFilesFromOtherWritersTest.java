package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.parquet.PureJavaCodecs;
import dev.tapetrain.protocol.DatasetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.PlainReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an adversarial round with pyarrow-written files found (2026-12-07): a damaged GZIP page
 * that still inflated to its size was read, a name given to two columns was read as the first,
 * and files of one dataset whose schemas differ only in the root's name were refused.
 */
class ParquetFilesFromOtherWritersTest {

  @TempDir
  Path dir;

  private static InputFormat.Scanned scan(List<Path> files, String features) {
    return ParquetFormatTest.scan(new ParquetFormat(), files, features, y -> null);
  }

  /** Columns y (1.0) and x (row · 0.5) of 3000 rows, uncompressed pages of 1000 values. */
  private static void threePagesOfX(Path p) {
    ParquetTestFiles.write(p, "message t { required double y; required double x; }", 3000,
        (r, g) -> {
          g.add("y", 1.0);
          g.add("x", r * 0.5);
        }, b -> b.withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .withDictionaryEncoding(false).withPageRowCountLimit(1000));
  }

  /** The column chunks of the file's first row group, as its footer places them. */
  private static List<ColumnChunkMetaData> chunks(Path p) throws Exception {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(p),
        PlainReadOptions.create(new PureJavaCodecs()))) {
      return r.getFooter().getBlocks().get(0).getColumns();
    }
  }

  @Test
  void aGzipPageWhoseChecksumDiffersIsRefusedNotRead() throws Exception {
    Path p = dir.resolve("gz.parquet");
    ParquetTestFiles.write(p, "message t { required double x; required double y; }", 500,
        (r, g) -> {
          g.add("x", r * 0.25);
          g.add("y", 1.0);
        }, b -> b.withCompressionCodec(CompressionCodecName.GZIP).withDictionaryEncoding(false));
    assertEquals(500, scan(List.of(p), "x").source().rows(), "the intact file reads");
    ColumnChunkMetaData x = chunks(p).get(0);
    // The chunk's last page ends with its GZIP member's trailer: CRC-32, then the length.
    int crc = (int) (x.getStartingPos() + x.getTotalSize() - 6);
    byte[] bytes = Files.readAllBytes(p);
    bytes[crc] ^= 1;
    Files.write(p, bytes);
    String m = assertThrows(DataException.class, () -> scan(List.of(p), "x")).getMessage();
    assertTrue(m.startsWith(p + ": row group 0: "), m);
    assertTrue(m.contains("corrupt"), m);
    assertEquals(-1, m.indexOf('\n'));
  }

  @Test
  void aNameGivenToTwoColumnsIsRefusedAsAmbiguous() {
    Path p = dir.resolve("dup.parquet");
    ParquetTestFiles.write(p, "message t { required double a; required double a; "
        + "required double y; }", 10, (r, g) -> {
          g.add(0, (double) r);
          g.add(1, 2.0 * r);
          g.add(2, 1.0);
        }, b -> b);
    assertEquals(p + ": cannot read column as numbers: 'a' is the name of more than one column",
        assertThrows(DataException.class, () -> scan(List.of(p), "a")).getMessage());
  }

  @Test
  void filesWhoseSchemasDifferOnlyInTheRootsNameAreOneDataset() {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    for (Path p : List.of(a, b)) {
      String root = p == a ? "schema" : "spark_schema";
      ParquetTestFiles.write(p, "message " + root + " { required double x; optional double y;"
          + " }", 7, (r, g) -> {
            g.add("x", (double) r);
            g.add("y", 3.0);
          }, w -> w);
    }
    assertEquals(14, scan(List.of(a, b), "x").source().rows());
  }

  /**
   * A data page whose header counts one value more, or one fewer, than the page holds: one line
   * each, never parquet-java's own failure to describe it (it reaches for a Hadoop class
   * tapetrain leaves out) or Thrift's "Socket is closed by peer".
   */
  @Test
  void aPageHeaderThatMiscountsItsValuesIsOneLine() throws Exception {
    Path p = dir.resolve("pages.parquet");
    threePagesOfX(p);
    ColumnChunkMetaData x = chunks(p).get(1);
    byte[] intact = Files.readAllBytes(p);
    // num_values = 1000 in x's last page header: field 2, zigzag varint 2000.
    int at = -1;
    for (int i = (int) x.getStartingPos(); i + 2 < x.getStartingPos() + x.getTotalSize(); i++) {
      if (intact[i] == 0x15 && intact[i + 1] == (byte) 0xd0 && intact[i + 2] == 0x0f) {
        at = i;
      }
    }
    assertTrue(at > 0, "x's pages hold 1000 values each");
    for (byte count : new byte[] {(byte) 0xd2, (byte) 0xce}) { // 1001, 999
      byte[] bytes = intact.clone();
      bytes[at + 1] = count;
      Files.write(p, bytes);
      String m = assertThrows(DataException.class, () -> scan(List.of(p), "x")).getMessage();
      assertTrue(m.startsWith(p + ": row group 0: "), m);
      assertEquals(-1, m.indexOf('\n'));
      assertTrue(!m.contains("hadoop") && !m.contains("Socket"), m);
    }
  }

  /**
   * A worker reading part of a row group finds its pages by the file's page index, which the
   * scan (whole groups) never reads: an index that disagrees with the pages' own counts is
   * refused, not followed into rows shifted by one.
   */
  @Test
  void aPageIndexThatDisagreesWithThePagesIsRefusedNotFollowed() throws Exception {
    Path p = dir.resolve("index.parquet");
    threePagesOfX(p);
    DatasetSpec intact = new DatasetSpec(scan(List.of(p), "x").source(), 500);
    double[] x = ShardLoader.load(intact, List.of(3, 4, 5)).segments().get(0).x()[0];
    assertEquals(1500 * 0.5, x[0]);
    assertEquals(2999 * 0.5, x[1499]);
    long end = chunks(p).stream().mapToLong(c -> c.getStartingPos() + c.getTotalSize()).max()
        .orElseThrow();
    // In the offset indexes after the chunks: first_row_index 2000 (field 3, i64, zigzag
    // varint 4000) becomes 2001.
    byte[] bytes = Files.readAllBytes(p);
    int changed = 0;
    for (int i = (int) end; i + 2 < bytes.length; i++) {
      if (bytes[i] == 0x16 && bytes[i + 1] == (byte) 0xa0 && bytes[i + 2] == 0x1f) {
        bytes[i + 1] = (byte) 0xa2;
        changed++;
      }
    }
    assertEquals(2, changed, "one page at row 2000 in each column's offset index");
    Files.write(p, bytes);
    // Damaged before the scan (a writer's bug): the scan reads whole groups and accepts it.
    DatasetSpec d = new DatasetSpec(scan(List.of(p), "x").source(), 500);
    String m = assertThrows(DataException.class, () -> ShardLoader.load(d, List.of(3, 4, 5)))
        .getMessage();
    assertTrue(m.startsWith(p + ": row group 0: "), m);
    assertTrue(m.contains("the page index puts a page at row 2001, but the pages before it end "
        + "at row 2000"), m);
  }
}
