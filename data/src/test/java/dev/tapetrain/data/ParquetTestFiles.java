package dev.tapetrain.data;

import dev.tapetrain.data.parquet.PureJavaCodecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes Parquet files from Java with parquet-java's example object model, for tests: no Hadoop
 * {@code Configuration}, no Hadoop {@code Path}, pure-Java codecs.
 *
 * <pre>{@code
 * ParquetTestFiles.write(dir.resolve("t.parquet"),
 *     "message t { required double x; optional int64 n; required binary s (STRING); }",
 *     1000, (row, g) -> {
 *       g.add("x", row * 0.5);
 *       if (row != 7) {
 *         g.add("n", (long) row); // row 7's n is null
 *       }
 *       g.add("s", "r" + row);
 *     },
 *     b -> b.withRowGroupRowCountLimit(300).withCompressionCodec(CompressionCodecName.SNAPPY));
 * }</pre>
 * An optional field that is not added is null.
 */
final class ParquetTestFiles {

  private ParquetTestFiles() {}

  /** Fills one row. */
  @FunctionalInterface
  interface Row {
    /** Adds row {@code row}'s values to {@code group}; a value not added is null. */
    void fill(long row, Group group);
  }

  /**
   * Writes {@code rows} rows of a schema given in Parquet's text form.
   *
   * @param tweak adjusts the builder (row group size, page size, codec, dictionary, ...)
   */
  static void write(Path path, String schema, long rows, Row row,
      UnaryOperator<ExampleParquetWriter.Builder> tweak) {
    MessageType type = MessageTypeParser.parseMessageType(schema);
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    ExampleParquetWriter.Builder b = ExampleParquetWriter.builder(new LocalOutputFile(path))
        .withConf(new PlainParquetConfiguration())
        .withCodecFactory(new PureJavaCodecs())
        .withType(type)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(CompressionCodecName.SNAPPY);
    try (ParquetWriter<Group> w = tweak.apply(b).build()) {
      for (long r = 0; r < rows; r++) {
        Group g = groups.newGroup();
        row.fill(r, g);
        w.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": " + e.getMessage(), e);
    }
  }
}
