package dev.tapetrain.data.parquet;

import dev.tapetrain.data.DataException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.PlainReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * The rows of a local Parquet file as records of every column in its own Parquet type
 * (parquet-java's example {@link Group}), one row group at a time: for copying a file's columns
 * to another file unchanged. Every column must be flat (a top-level primitive, not repeated);
 * a null is a field without a value. Same reader as {@link ParquetColumns}: a
 * {@link ChannelInputFile}, pure-Java codecs, no Hadoop.
 *
 * <p>Usage: {@link #open}, then per row group {@link #nextRowGroup} and {@link #next} once per
 * row of it, then {@link #close}.
 */
public final class ParquetRecords implements AutoCloseable {

  private final String name;
  private final ParquetFileReader reader;
  private final MessageType schema;
  private final MessageColumnIO io;
  private RecordReader<Group> records;

  private ParquetRecords(String name, ParquetFileReader reader) {
    this.name = name;
    this.reader = reader;
    this.schema = reader.getFooter().getFileMetaData().getSchema();
    this.io = new ColumnIOFactory().getColumnIO(schema);
  }

  /**
   * Opens the file and checks that every column is flat.
   *
   * @throws DataException naming the file and every nested or repeated column, or if it is not
   *     a readable Parquet file
   */
  public static ParquetRecords open(Path path) {
    String name = path.toString();
    ParquetFileReader reader;
    try {
      reader = ParquetFileReader.open(new ChannelInputFile(path),
          PlainReadOptions.create(new PureJavaCodecs()));
    } catch (IOException | RuntimeException | LinkageError e) {
      throw new DataException(name + ": not a readable Parquet file (" + why(e) + ")", e);
    }
    ParquetRecords r = new ParquetRecords(name, reader);
    List<String> nested = new ArrayList<>();
    for (Type t : r.schema.getFields()) {
      if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
        nested.add("'" + t.getName() + "'");
      }
    }
    if (!nested.isEmpty()) {
      r.close();
      throw new DataException(name + ": cannot copy nested or repeated columns: "
          + String.join(", ", nested));
    }
    return r;
  }

  /** The file's schema. */
  public MessageType schema() {
    return schema;
  }

  /** Moves to the next row group; its rows then come from {@link #next}. */
  public void nextRowGroup() {
    try {
      PageReadStore pages = reader.readNextRowGroup();
      if (pages == null) {
        throw new DataException(name + ": fewer row groups than its footer lists");
      }
      records = io.getRecordReader(pages, new GroupRecordConverter(schema));
    } catch (IOException | RuntimeException | LinkageError e) {
      if (e instanceof DataException d) {
        throw d;
      }
      throw new DataException(name + ": cannot read: " + why(e), e);
    }
  }

  /** The next row of the current row group. */
  public Group next() {
    try {
      return records.read();
    } catch (RuntimeException | LinkageError e) {
      throw new DataException(name + ": cannot read: " + why(e), e);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new DataException(name + ": " + e.getMessage(), e);
    }
  }

  /** What went wrong, in a message's words. */
  private static String why(Throwable e) {
    // parquet-java builds some of its messages with Hadoop classes tapetrain leaves out.
    return e instanceof LinkageError ? "parquet-java failed while describing the damage"
        : e.getMessage();
  }
}
