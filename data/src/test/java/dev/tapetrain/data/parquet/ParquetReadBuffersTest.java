package dev.tapetrain.data.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link ParquetColumns} reads: column chunks through a {@link ChannelInputFile} into
 * buffers that the next chunk reuses ({@link ReusedBuffers}), pages decompressed into one array
 * ({@link PureJavaCodecs#reusingPages}), and still every value as written.
 */
class ParquetReadBuffersTest {

  @TempDir
  Path dir;

  private static final int ROWS = 20_000;

  private Path write(CompressionCodecName codec) throws Exception {
    Path p = dir.resolve(codec + ".parquet");
    MessageType type = MessageTypeParser.parseMessageType("message t { required double a; "
        + "optional double b; required int64 c; required int32 d; }");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(p))
        .withConf(new PlainParquetConfiguration()).withCodecFactory(new PureJavaCodecs())
        .withType(type).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(codec).withRowGroupRowCountLimit(7_000).withPageSize(4096)
        .withDictionaryEncoding("a", false).build()) {
      for (int r = 0; r < ROWS; r++) {
        Group g = groups.newGroup();
        g.add("a", value(0, r));
        g.add("b", value(1, r));
        g.add("c", (long) value(2, r));
        g.add("d", (int) value(3, r));
        w.write(g);
      }
    }
    return p;
  }

  /** Column {@code c}'s row {@code r}: a few repeated values (dictionary pages), or not. */
  private static double value(int c, int r) {
    return switch (c) {
      case 0 -> r * 0.5 - 77.25;
      case 1 -> (r % 13) * 1.5;
      case 2 -> r * 1_000_003L;
      default -> r % 97 - 40;
    };
  }

  @Test
  void everyValueAsWrittenWithChunkBuffersUsedAgain() throws Exception {
    for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY,
        CompressionCodecName.GZIP, CompressionCodecName.UNCOMPRESSED)) {
      Path p = write(codec);
      try (ParquetColumns pc = ParquetColumns.open(p)) {
        assertTrue(pc.rowGroups().size() >= 3, codec + ": " + pc.rowGroups().size());
        double[][] out = new double[5][ROWS];
        // "a" twice: decoded once, copied.
        pc.read(List.of("a", "b", "c", "d", "a"), 0, ROWS, out, 0);
        for (int c = 0; c < 5; c++) {
          double[] want = new double[ROWS];
          for (int r = 0; r < ROWS; r++) {
            want[r] = value(c % 4, r);
          }
          assertArrayEquals(want, out[c], codec + ": column " + c);
        }
        // Twelve column chunks read one at a time, each into buffers released by the ones
        // before where they are large enough: fewer bytes of arrays made than read, and none
        // at all for a second read of the same chunks.
        long chunks = 0;
        for (int g = 0; g < pc.rowGroups().size(); g++) {
          long[] r = pc.byteRange(g);
          chunks += r[1] - r[0];
        }
        long made = pc.bufferBytesMade();
        assertTrue(made < chunks, codec + ": " + made + " bytes of buffers made for " + chunks
            + " bytes of column chunks");
        double[][] again = new double[5][ROWS];
        pc.read(List.of("a", "b", "c", "d", "a"), 0, ROWS, again, 0);
        assertEquals(made, pc.bufferBytesMade(), codec + ": a second read made new buffers");
        for (int c = 0; c < 5; c++) {
          assertArrayEquals(out[c], again[c], codec + ": column " + c + " read again");
        }
      }
    }
  }

  @Test
  void rowsFromInsidePagesAsWritten() throws Exception {
    // Ranges that start and end inside pages (dictionary pages for b, c, d; levels for b), in
    // one row group or across two.
    for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY,
        CompressionCodecName.UNCOMPRESSED)) {
      Path p = write(codec);
      try (ParquetColumns pc = ParquetColumns.open(p)) {
        for (long[] range : new long[][] {{1_234, 1_300}, {3, 6_999}, {6_500, 7_777},
            {13_999, 14_001}, {19_000, ROWS}}) {
          int n = (int) (range[1] - range[0]);
          double[][] out = new double[4][n + 2];
          pc.read(List.of("a", "b", "c", "d"), range[0], range[1], out, 2);
          for (int c = 0; c < 4; c++) {
            for (int k = 0; k < n; k++) {
              assertEquals(value(c, (int) range[0] + k), out[c][2 + k], codec + ": column " + c
                  + ", row " + (range[0] + k));
            }
          }
        }
      }
    }
  }

  @Test
  void aBufferIsLentOnceAtATime() {
    ReusedBuffers buffers = new ReusedBuffers();
    ByteBuffer a = buffers.allocate(100);
    assertEquals(100, a.remaining());
    ByteBuffer b = buffers.allocate(50);
    assertNotSame(a.array(), b.array());
    buffers.release(a);
    buffers.release(a); // twice: still one free array
    buffers.release(ByteBuffer.allocate(200)); // not lent by it: ignored
    ByteBuffer c = buffers.allocate(80);
    assertSame(a.array(), c.array());
    assertEquals(80, c.remaining());
    ByteBuffer d = buffers.allocate(80);
    assertNotSame(c.array(), d.array());
    assertEquals(100 + 50 + 80, buffers.created());
  }

  @Test
  void theChannelStreamReadsWhereItIsAndSaysWhereTheFileEnds() throws Exception {
    Path p = dir.resolve("bytes");
    byte[] bytes = new byte[3 * ChannelInputFile.PIECE + 17];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    Files.write(p, bytes);
    ChannelInputFile f = new ChannelInputFile(p);
    assertEquals(bytes.length, f.getLength());
    try (SeekableInputStream in = f.newStream()) {
      ByteBuffer all = ByteBuffer.allocate(bytes.length);
      in.readFully(all);
      assertArrayEquals(bytes, all.array());
      assertEquals(bytes.length, in.getPos());
      assertEquals(-1, in.read());
      in.seek(5);
      assertEquals(bytes[5] & 0xff, in.read());
      byte[] two = new byte[2];
      in.readFully(two);
      assertArrayEquals(new byte[] {bytes[6], bytes[7]}, two);
      assertEquals(10, in.skip(10));
      assertEquals(18, in.getPos());
      in.seek(bytes.length - 3);
      assertThrows(EOFException.class, () -> in.readFully(new byte[4]));
    }
  }
}
