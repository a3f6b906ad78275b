package dev.tapetrain.data.parquet;

import dev.tapetrain.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.PlainReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
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
 * and INT64 plain or with an INT(8/16/32/64, signed or unsigned) annotation, DECIMAL on
 * INT32, INT64, FIXED_LEN_BYTE_ARRAY or BINARY, FLOAT16, and BOOLEAN (false 0.0, true 1.0).
 * Every value must widen to a double exactly: an
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
  private final ParquetMetadata footer;
  private final MessageType schema;
  private final List<RowGroup> groups;
  private final long rows;
  private final ReusedBuffers buffers;
  /** What reads the row groups' pages (the one reader of this file). */
  private final RowGroupReads reads;

  private ParquetColumns(String name, ChannelInputFile file, ParquetReadOptions options,
      ReusedBuffers buffers, ParquetFileReader reader) {
    this.name = name;
    this.buffers = buffers;
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
    this.reads = new RowGroupReads(name, file, options, reader);
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
      READERS_OPENED.increment();
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

  /**
   * The columns pandas wrote as the DataFrame's index, by the file's {@code pandas} metadata
   * (named ones only; see {@link PandasIndex}), in its order; empty for other writers.
   */
  public List<String> pandasIndexColumns() {
    return PandasIndex.columns(footer.getFileMetaData().getKeyValueMetaData().get("pandas"));
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
   * {@link #schemaText} with the top-level columns in the order of their names (by code point;
   * columns of one name keep their order): what two files of one dataset must agree on, since
   * their columns are read by name.
   */
  public String schemaTextByName() {
    List<Type> fields = new ArrayList<>(schema.getFields());
    fields.sort(java.util.Comparator.comparing(Type::getName));
    return new MessageType("m", fields).toString()
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
    read(columns, List.of(new Slice(from, to, out, at)));
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
   * <p>A row group at a time ({@link RowGroupReads}), its columns in batches of at most
   * {@link RowGroupReads#BATCH_BYTES} of column
   * chunks, each batch one read of the one reader: the work is columns × row groups. (A reader
   * a column, as before 2026-12-07, made a file of 3000 columns parse its footer 3000 times, and
   * parquet-java walks every column of a row group on each read, so a read a column and row
   * group cost columns² × row groups.) Only one batch's chunks are held at a time. A column
   * named twice is decoded once.
   *
   * @throws DataException as {@link #read(List, long, long, double[][], int)}
   */
  public void read(List<String> columns, List<Slice> slices) {
    for (Slice s : slices) {
      if (s.from() < 0 || s.to() < s.from() || s.to() > rows) {
        throw new IllegalArgumentException(name + ": rows [" + s.from() + ", " + s.to()
            + ") are not inside the file's " + rows + " rows");
      }
    }
    NumericColumn[] cols = NumericColumn.resolve(name, schema, columns);
    Map<ColumnDescriptor, Integer> firstOf = new LinkedHashMap<>();
    List<Integer> unique = new ArrayList<>();
    for (int i = 0; i < cols.length; i++) {
      if (firstOf.putIfAbsent(cols[i].descriptor(), i) == null) {
        unique.add(i);
      }
    }
    if (slices.isEmpty()) {
      return;
    }
    // From the group that holds the first row asked for (found by halving: a read a row group
    // of a file of thousands must not walk them all) to the one past the last.
    int lo = 0;
    int hi = groups.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (groups.get(mid).firstRow + groups.get(mid).rows <= slices.get(0).from()) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    long last = slices.get(slices.size() - 1).to();
    int s0 = 0;
    for (int gi = lo; gi < groups.size() && groups.get(gi).firstRow < last; gi++) {
      RowGroup g = groups.get(gi);
      long end = g.firstRow + g.rows;
      while (s0 < slices.size() && slices.get(s0).to() <= g.firstRow) {
        s0++;
      }
      List<Slice> in = new ArrayList<>();
      for (int k = s0; k < slices.size() && slices.get(k).from() < end; k++) {
        if (slices.get(k).to() > slices.get(k).from()) {
          in.add(slices.get(k));
        }
      }
      if (!in.isEmpty()) {
        reads.readGroup(g, cols, unique, in);
      }
    }
    for (int i = 0; i < cols.length; i++) {
      int f = firstOf.get(cols[i].descriptor());
      if (f != i) {
        for (Slice s : slices) {
          System.arraycopy(s.out()[f], s.at(), s.out()[i], s.at(), (int) (s.to() - s.from()));
        }
      }
    }
  }

  /** Row groups' column chunks read (a batch of columns each) in this JVM: for tests. */
  public static final java.util.concurrent.atomic.LongAdder GROUP_READS =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * Bytes of column chunks fetched by reads in this JVM (a row group's requested columns, whole
   * or as a page-index filter asks): a test's measure that a row group is read once.
   */
  public static final java.util.concurrent.atomic.LongAdder CHUNK_BYTES =
      new java.util.concurrent.atomic.LongAdder();

  /** ParquetFileReaders made in this JVM (one an open, and one a {@link #reopen}): for tests. */
  public static final java.util.concurrent.atomic.LongAdder READERS_OPENED =
      new java.util.concurrent.atomic.LongAdder();

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

  /** The first line of {@code e}'s message, for a one-line refusal. */
  static String firstLine(Throwable e) {
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
    reads.close();
  }
}
