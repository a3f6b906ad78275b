package dev.tapetrain.data.parquet;

import dev.tapetrain.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.PlainReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.columnindex.RowRanges;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Numeric columns of one local Parquet file, read as float64 for a range of rows.
 *
 * <p>Opens the file with parquet-java's {@link ParquetFileReader} over a {@link ChannelInputFile}
 * (column chunks read once, straight into the reader's buffers): no Hadoop {@code FileSystem}, no
 * Hadoop codec, no native code (pages are decompressed by {@link PureJavaCodecs}). Only the row groups that overlap the rows asked for are read, and of
 * them only the asked columns' chunks; inside a row group that is only partly wanted, pages
 * outside the range are not read when the file has a page index.
 *
 * <p>Accepted column types (top-level, required or optional, not repeated): DOUBLE, FLOAT, INT32
 * and INT64 plain or with an INT(8/16/32/64, signed or unsigned) annotation, and DECIMAL on
 * INT32, INT64, FIXED_LEN_BYTE_ARRAY or BINARY. Every value must widen to a double exactly: an
 * integer with more than 53 significant bits or a decimal that has no exact double (0.1) is
 * refused; so are nulls, NaN and infinities. Every refusal is a {@link DataException} naming the
 * file, the row (0-based over the file), the row group and the column.
 *
 * <p>Usage: {@link #open}, then {@link #read} any number of times, then {@link #close}. Not
 * thread-safe: one instance per reading thread.
 */
public final class ParquetColumns implements AutoCloseable {

  /**
   * One row group.
   *
   * @param index       its index in the file
   * @param firstRow    its first row, 0-based over the file
   * @param rows        its row count
   * @param offsetIndex whether every column chunk has a page index (then a partial read reads
   *                    only the pages that hold the rows)
   */
  public record RowGroup(int index, long firstRow, long rows, boolean offsetIndex) {}

  private final String name;
  private final ChannelInputFile file;
  private final ParquetReadOptions options;
  private final ParquetMetadata footer;
  private final MessageType schema;
  private final List<RowGroup> groups;
  private final long rows;
  /**
   * The reader for the current column set. ParquetFileReader caches each row group's page index
   * for the columns requested when it first reads that group, and setRequestedSchema does not
   * drop the cache: a later partial read of other columns of that group then fails (parquet-java
   * 1.18.2). So a new column set gets a new reader, made from the footer already parsed.
   */
  private ParquetFileReader reader;
  private List<ColumnDescriptor> readerColumns;
  private final ReusedBuffers buffers;

  private ParquetColumns(String name, ChannelInputFile file, ParquetReadOptions options,
      ReusedBuffers buffers, ParquetFileReader reader) {
    this.name = name;
    this.buffers = buffers;
    this.file = file;
    this.options = options;
    this.reader = reader;
    this.footer = reader.getFooter();
    this.schema = footer.getFileMetaData().getSchema();
    List<RowGroup> list = new ArrayList<>();
    long first = 0;
    List<BlockMetaData> blocks = footer.getBlocks();
    for (int i = 0; i < blocks.size(); i++) {
      BlockMetaData b = blocks.get(i);
      boolean offsetIndex = !b.getColumns().isEmpty();
      for (ColumnChunkMetaData c : b.getColumns()) {
        offsetIndex &= c.getOffsetIndexReference() != null;
      }
      list.add(new RowGroup(i, first, b.getRowCount(), offsetIndex));
      first += b.getRowCount();
    }
    this.groups = Collections.unmodifiableList(list);
    this.rows = first;
  }

  /**
   * Opens a local Parquet file and reads its footer.
   *
   * @throws DataException if it is missing or not a readable Parquet file, naming it
   */
  public static ParquetColumns open(Path path) {
    String name = path.toString();
    if (Files.isDirectory(path)) {
      throw new DataException(name + ": is a directory, not a Parquet file");
    }
    if (!Files.isRegularFile(path)) {
      throw new DataException(name + ": no such file");
    }
    ChannelInputFile file = new ChannelInputFile(path);
    ParquetFileReader reader;
    try {
      ReusedBuffers buffers = new ReusedBuffers();
      ParquetReadOptions options = PlainReadOptions.create(PureJavaCodecs.reusingPages(),
          buffers);
      reader = ParquetFileReader.open(file, options);
      return new ParquetColumns(name, file, options, buffers, reader);
    } catch (IOException | RuntimeException | LinkageError e) {
      throw new DataException(name + ": not a readable Parquet file (" + firstLine(e) + ")", e);
    }
  }

  /** The file's name as messages give it. */
  public String name() {
    return name;
  }

  /** Rows in the file. */
  public long rows() {
    return rows;
  }

  /** The row groups, in file order. */
  public List<RowGroup> rowGroups() {
    return groups;
  }

  /** The top-level column names, in file order. */
  public List<String> columns() {
    List<String> names = new ArrayList<>();
    for (Type t : schema.getFields()) {
      names.add(t.getName());
    }
    return names;
  }

  /** The file's schema. */
  public MessageType schema() {
    return schema;
  }

  /**
   * The file's columns, in Parquet's schema text (for comparing the files of one dataset):
   * without the root's name (pyarrow writes {@code schema}, Spark {@code spark_schema},
   * tapetrain's {@code predict} its own) and column orders, which say nothing of the columns.
   */
  public String schemaText() {
    return new MessageType("m", schema.getFields()).toString()
        .replaceFirst("^message m", "message").replaceAll(" columnorder\\([^)]*\\)", "");
  }

  /**
   * Checks that the named columns can be read as numbers.
   *
   * @throws DataException naming the file and every column that cannot
   */
  public void checkColumns(List<String> columns) {
    NumericColumn.resolve(name, schema, columns);
  }

  /**
   * Reads rows {@code [from, to)} of the named columns: column {@code i} into {@code out[i]},
   * starting at {@code out[i][at]}.
   *
   * @throws DataException if a column is missing, nested or not numeric, or a value is null,
   *     NaN, infinite or has no exact double (naming file, row, row group and column), or the
   *     file is corrupt
   * @throws IllegalArgumentException if the rows are not inside the file
   */
  public void read(List<String> columns, long from, long to, double[][] out, int at) {
    if (from < 0 || to < from || to > rows) {
      throw new IllegalArgumentException(name + ": rows [" + from + ", " + to
          + ") are not inside the file's " + rows + " rows");
    }
    NumericColumn[] cols = NumericColumn.resolve(name, schema, columns);
    List<RowGroup> in = new ArrayList<>();
    for (RowGroup g : groups) {
      if (Math.max(from, g.firstRow) < Math.min(to, g.firstRow + g.rows)) {
        checkCodecs(g, cols);
        in.add(g);
      }
    }
    // A column at a time through every row group: the reader changes columns once a column
    // (a new reader each time, see use()), not once a row group and column, which made a file
    // of thousands of small row groups cost columns × row groups² (each new reader walks the
    // footer's row groups). A column named twice is decoded once.
    Map<ColumnDescriptor, double[]> done = new HashMap<>();
    for (int i = 0; i < cols.length; i++) {
      double[] copyOf = done.get(cols[i].descriptor());
      if (copyOf != null) {
        System.arraycopy(copyOf, at, out[i], at, (int) (to - from));
        continue;
      }
      for (RowGroup g : in) {
        long a = Math.max(from, g.firstRow);
        long b = Math.min(to, g.firstRow + g.rows);
        readChunk(g, cols[i], a, b, out[i], at + (int) (a - from));
      }
      done.put(cols[i].descriptor(), out[i]);
    }
  }

  /**
   * Rows {@code [from, to)} of the file going to {@code out[i][at …]} for column {@code i}: one
   * of the pieces {@link #read(List, List)} reads.
   */
  public record Slice(long from, long to, double[][] out, int at) {}

  /**
   * Reads {@code slices} (in row order, not overlapping) of the named columns, each row group
   * read and decoded once for all the slices in it: a worker holding every other chunk of a
   * row group (chunks handed over from a lost worker) reads it once, not once a chunk.
   *
   * @throws DataException as {@link #read(List, long, long, double[][], int)}
   */
  public void read(List<String> columns, List<Slice> slices) {
    // A column at a time through the row groups, as read(List, long, long, double[][], int).
    for (int c = 0; c < columns.size(); c++) {
      List<String> column = List.of(columns.get(c));
      for (RowGroup g : groups) {
        long end = g.firstRow + g.rows;
        List<Slice> in = new ArrayList<>();
        for (Slice s : slices) {
          if (s.from() < end && g.firstRow < s.to()) {
            in.add(s);
          }
        }
        if (in.isEmpty()) {
          continue;
        }
        if (in.size() == 1) {
          Slice s = in.get(0);
          long sa = Math.max(s.from(), g.firstRow);
          read(column, sa, Math.min(s.to(), end), new double[][] {s.out()[c]},
              s.at() + (int) (sa - s.from()));
          continue;
        }
        // Several slices: decode their span once (the only copy held) and hand each slice
        // its rows.
        long a = Math.max(in.get(0).from(), g.firstRow);
        long b = Math.min(in.get(in.size() - 1).to(), end);
        double[] tmp = new double[Math.toIntExact(b - a)];
        read(column, a, b, new double[][] {tmp}, 0);
        for (Slice s : in) {
          long sa = Math.max(s.from(), g.firstRow);
          long sb = Math.min(s.to(), end);
          System.arraycopy(tmp, (int) (sa - a), s.out()[c], s.at() + (int) (sa - s.from()),
              (int) (sb - sa));
        }
      }
    }
  }

  /**
   * Bytes of column chunks fetched by reads in this JVM (a row group's requested columns, whole
   * or as a page-index filter asks): a test's measure that a row group is read once.
   */
  public static final java.util.concurrent.atomic.LongAdder CHUNK_BYTES =
      new java.util.concurrent.atomic.LongAdder();

  private void readChunk(RowGroup g, NumericColumn col, long from, long to, double[] out,
      int at) {
    use(col.descriptor());
    ColumnPath path = ColumnPath.get(col.descriptor().getPath());
    for (ColumnChunkMetaData c : footer.getBlocks().get(g.index).getColumns()) {
      if (c.getPath().equals(path)) {
        CHUNK_BYTES.add(c.getTotalSize());
      }
    }
    PageReadStore pages;
    try {
      // Part of a group with a page index: only the pages that hold the rows. Otherwise the
      // whole column chunk; the decoder skips the pages before the rows.
      boolean whole = from == g.firstRow && to == g.firstRow + g.rows;
      pages = !whole && g.offsetIndex
          ? reader.readFilteredRowGroup(g.index, RowRanges.builder()
              .addSelectedRange(from - g.firstRow, to - 1 - g.firstRow).build())
          : reader.readRowGroup(g.index);
    } catch (IOException | RuntimeException | LinkageError e) {
      throw new DataException(name + ": row group " + g.index + ": corrupt or unreadable ("
          + firstLine(e) + ")", e);
    }
    try (PageReadStore release = pages) { // gives the chunk's buffers back when done
      try {
        new PageDecoder(name, pages.getPageReader(col.descriptor()), col, g.index,
            g.firstRow, from, to).read(out, at);
      } catch (IOException | ParquetDecodingException e) {
        throw new DataException(name + ": row group " + g.index + ": column '"
            + col.name() + "': corrupt data (" + firstLine(e) + ")", e);
      }
    } catch (DataException e) {
      throw e;
    } catch (Exception | LinkageError e) {
      throw new DataException(name + ": row group " + g.index + ": corrupt data ("
          + firstLine(e) + ")", e);
    }
  }

  /** Readers opened for another column in this JVM: a test's measure of how often that happens. */
  public static final java.util.concurrent.atomic.LongAdder READERS_OPENED =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * Makes the reader read {@code column} only. A reader that read other columns is replaced by
   * a new one over the footer already parsed (see {@link #reader}).
   */
  private void use(ColumnDescriptor column) {
    List<ColumnDescriptor> wanted = List.of(column);
    if (readerColumns != null && !readerColumns.equals(wanted)) {
      try {
        reader.close();
        reader = ParquetFileReader.open(file, footer, options, file.newStream());
        READERS_OPENED.increment();
      } catch (IOException e) {
        throw new DataException(name + ": cannot read: " + e.getMessage(), e);
      }
    }
    readerColumns = wanted;
    reader.setRequestedSchema(wanted);
  }

  /**
   * The bytes {@code [start, end)} of row group {@code group}'s column chunks, every column's:
   * what a reader of any of its rows may read.
   */
  public long[] byteRange(int group) {
    long a = Long.MAX_VALUE;
    long b = 0;
    for (ColumnChunkMetaData c : footer.getBlocks().get(group).getColumns()) {
      a = Math.min(a, c.getStartingPos());
      b = Math.max(b, c.getStartingPos() + c.getTotalSize());
    }
    return new long[] {a, b};
  }

  /** Bytes of column-chunk buffers this reader made (the others it used again): for tests. */
  long bufferBytesMade() {
    return buffers.created();
  }

  private void checkCodecs(RowGroup g, NumericColumn[] cols) {
    for (ColumnChunkMetaData c : footer.getBlocks().get(g.index).getColumns()) {
      CompressionCodecName codec = c.getCodec();
      if (!PureJavaCodecs.canRead(codec)) {
        for (NumericColumn col : cols) {
          if (c.getPath().toDotString().equals(col.name())) {
            throw new DataException(name + ": row group " + g.index + ": column '"
                + col.name() + "' is compressed with " + codec + ", which is not supported "
                + "(supported: UNCOMPRESSED, SNAPPY, GZIP, LZ4_RAW, ZSTD)");
          }
        }
      }
    }
  }

  private static String firstLine(Throwable e) {
    if (e instanceof LinkageError) {
      // parquet-java builds some of its messages with Hadoop classes tapetrain leaves out.
      return "parquet-java failed while describing the damage";
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (m.startsWith("can not read class org.apache.parquet.format.PageHeader")) {
      // Thrift's words for a header that ends too soon ("Socket is closed by peer").
      return "a page header is damaged or cut short";
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new DataException(name + ": " + e.getMessage(), e);
    }
  }
}
