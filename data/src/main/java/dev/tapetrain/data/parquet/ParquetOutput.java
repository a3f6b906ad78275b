package dev.tapetrain.data.parquet;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Opens a Parquet writer of records ({@link Group}s) on a local file: parquet-java's
 * {@link ExampleParquetWriter} over a {@link LocalOutputFile}, with a plain (non-Hadoop)
 * configuration and the pure-Java codecs (Snappy), so nothing of Hadoop is needed at run time.
 * The file is replaced if it exists; callers write to a temporary file and rename it.
 */
public final class ParquetOutput {

  private ParquetOutput() {}

  /**
   * A writer of {@code schema}'s records to {@code path}; close it to write the footer.
   *
   * @throws IOException if the file cannot be created
   */
  public static ParquetWriter<Group> open(Path path, MessageType schema) throws IOException {
    return ExampleParquetWriter.builder(new LocalOutputFile(path))
        .withConf(new PlainParquetConfiguration())
        .withCodecFactory(new PureJavaCodecs())
        .withType(schema)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .build();
  }
}
