package dev.tapetrain.data.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file of many columns: one reader (one footer parse) for every read of an open file, and a
 * row group's columns read together, not one read a column (3001 columns took 29 s for 500
 * rows, a new user's run of 2026-12-07: a reader, and so a footer parse, a column).
 */
class ParquetWideTest {

  @TempDir
  Path dir;

  private static final int COLUMNS = 400;
  private static final int ROWS = 600;

  private static double value(int c, int r) {
    return r * 0.25 + c;
  }

  private Path write() throws Exception {
    StringBuilder schema = new StringBuilder("message t {");
    List<String> names = new ArrayList<>();
    for (int c = 0; c < COLUMNS; c++) {
      names.add("c" + c);
      schema.append(" required double c").append(c).append(';');
    }
    MessageType type = MessageTypeParser.parseMessageType(schema + " }");
    Path p = dir.resolve("wide.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    // Three row groups of 200 rows, each with a page index (parquet-java writes one).
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(p))
        .withConf(new PlainParquetConfiguration()).withCodecFactory(new PureJavaCodecs())
        .withType(type).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(200).withPageRowCountLimit(50).build()) {
      for (int r = 0; r < ROWS; r++) {
        Group g = groups.newGroup();
        for (int c = 0; c < COLUMNS; c++) {
          g.add(names.get(c), value(c, r));
        }
        w.write(g);
      }
    }
    return p;
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < COLUMNS; c++) {
      names.add("c" + c);
    }
    return names;
  }

  private static void assertRows(double[][] out, int at, long from, long to) {
    for (int c = 0; c < COLUMNS; c++) {
      double[] want = new double[(int) (to - from)];
      for (int r = 0; r < want.length; r++) {
        want[r] = value(c, (int) from + r);
      }
      assertArrayEquals(want, java.util.Arrays.copyOfRange(out[c], at, at + want.length),
          "column " + c + ", rows [" + from + ", " + to + ")");
    }
  }

  @Test
  void oneReaderAndOneReadARowGroupForEveryColumn() throws Exception {
    Path p = write();
    long readers = ParquetColumns.READERS_OPENED.sum();
    long reads = ParquetColumns.GROUP_READS.sum();
    try (ParquetColumns pc = ParquetColumns.open(p)) {
      assertEquals(3, pc.rowGroups().size());
      // Whole row groups.
      double[][] out = new double[COLUMNS][ROWS];
      pc.read(names(), 0, ROWS, out, 0);
      assertRows(out, 0, 0, ROWS);
      // Parts of row groups (through their page indexes), two slices in one group.
      double[][] a = new double[COLUMNS][300];
      double[][] b = new double[COLUMNS][200];
      pc.read(names(), List.of(new ParquetColumns.Slice(70, 170, a, 5),
          new ParquetColumns.Slice(180, 380, b, 0)));
      assertRows(a, 5, 70, 170);
      assertRows(b, 0, 180, 380);
      assertEquals(1, ParquetColumns.READERS_OPENED.sum() - readers,
          "readers made for " + COLUMNS + " columns");
      // Three row groups, then two: each read once for all its columns.
      assertEquals(3 + 2, ParquetColumns.GROUP_READS.sum() - reads);
    }
  }

  @Test
  void aPartialReadOfColumnsTheRowGroupsIndexWasNotReadForGetsANewReader() throws Exception {
    Path p = write();
    try (ParquetColumns pc = ParquetColumns.open(p)) {
      long readers = ParquetColumns.READERS_OPENED.sum();
      double[][] one = new double[1][40];
      pc.read(List.of("c7"), 210, 250, one, 0);
      pc.read(List.of("c7"), 260, 300, one, 0); // the same column: the same reader
      assertEquals(0, ParquetColumns.READERS_OPENED.sum() - readers);
      // Another column of row group 1: parquet-java kept its page index for c7 only.
      pc.read(List.of("c9"), 210, 250, one, 0);
      for (int r = 0; r < 40; r++) {
        assertEquals(value(9, 210 + r), one[0][r]);
      }
      assertTrue(ParquetColumns.READERS_OPENED.sum() - readers >= 1);
    }
  }
}
