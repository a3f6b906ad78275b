package dev.tapetrain.data.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.GroupWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Opens a Parquet writer of records ({@link Group}s) on a local file: parquet-java's writer over
 * a {@link LocalOutputFile}, with a plain (non-Hadoop) configuration and the pure-Java codecs
 * (Snappy), so nothing of Hadoop is needed at run time. The file is replaced if it exists;
 * callers write to a temporary file and rename it.
 *
 * <p>The footer names its writer {@value #WRITER_MODEL} ({@code writer.model.name}, which
 * {@code parquet-cli meta} and pyarrow's {@code metadata} show): parquet-java's example writer,
 * which this replaces, named every file {@code example}.
 */
public final class ParquetOutput {

  /** The footer's {@code writer.model.name}. */
  public static final String WRITER_MODEL = "tapetrain";

  private ParquetOutput() {}

  /**
   * A writer of {@code schema}'s records to {@code path}; close it to write the footer.
   *
   * @throws IOException if the file cannot be created
   */
  public static ParquetWriter<Group> open(Path path, MessageType schema) throws IOException {
    return open(path, schema, Map.of());
  }

  /**
   * A writer of {@code schema}'s records to {@code path} whose footer also holds the key-value
   * pairs {@code metadata}; close it to write the footer.
   *
   * @throws IOException if the file cannot be created
   */
  public static ParquetWriter<Group> open(Path path, MessageType schema,
      Map<String, String> metadata) throws IOException {
    return new Builder(new LocalOutputFile(path), schema, metadata)
        .withConf(new PlainParquetConfiguration())
        .withCodecFactory(new PureJavaCodecs())
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .build();
  }

  /** Builds the writer with {@link GroupWrites}; only the plain configuration is supported. */
  private static final class Builder extends ParquetWriter.Builder<Group, Builder> {
    private final MessageType schema;
    private final Map<String, String> metadata;

    Builder(OutputFile file, MessageType schema, Map<String, String> metadata) {
      super(file);
      this.schema = schema;
      this.metadata = Map.copyOf(metadata);
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Group> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
      throw new UnsupportedOperationException("a Hadoop configuration (never given here)");
    }

    @Override
    protected WriteSupport<Group> getWriteSupport(ParquetConfiguration conf) {
      return new GroupWrites(schema, metadata);
    }
  }

  /**
   * Writes {@link Group}s as parquet-java's {@code GroupWriteSupport} does, under this writer's
   * own name and with the caller's metadata.
   */
  private static final class GroupWrites extends WriteSupport<Group> {
    private final MessageType schema;
    private final Map<String, String> metadata;
    private GroupWriter writer;

    GroupWrites(MessageType schema, Map<String, String> metadata) {
      this.schema = schema;
      this.metadata = metadata;
    }

    @Override
    public String getName() {
      return WRITER_MODEL;
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration conf) {
      return init((ParquetConfiguration) null);
    }

    @Override
    public WriteContext init(ParquetConfiguration conf) {
      return new WriteContext(schema, metadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer consumer) {
      writer = new GroupWriter(consumer, schema);
    }

    @Override
    public void write(Group record) {
      writer.write(record);
    }
  }
}
