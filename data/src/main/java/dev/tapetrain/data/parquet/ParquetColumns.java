package dev.tapetrain.data.parquet;

import dev.tapetrain.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  /** The one reader, changed only by {@link #reopen}. */
  private ParquetFileReader reader;
  /**
   * For each row group, the columns whose page index the reader has read for it, or null.
   * ParquetFileReader caches a row group's page index for the columns requested when a partial
   * read first asks for it, and setRequestedSchema does not drop the cache: a later partial read
   * of other columns of that group then fails (parquet-java 1.18.2). So the index is read for
   * every column of the read, and columns it lacks get a new reader.
   */
  private final Set<ColumnDescriptor>[] indexed;
  /** Each column path's place among the schema's leaves (and so among a row group's chunks). */
  private final Map<ColumnPath, Integer> leaves = new HashMap<>();
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
    @SuppressWarnings("unchecked")
    Set<ColumnDescriptor>[] none = new Set[blocks.size()];
    this.indexed = none;
    List<ColumnDescriptor> leafList = schema.getColumns();
    for (int i = 0; i < leafList.size(); i++) {
      leaves.put(ColumnPath.get(leafList.get(i).getPath()), i);
    }
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
   * <p>A row group at a time, its columns in batches of at most {@link #BATCH_BYTES} of column
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
        readGroup(g, cols, unique, in);
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

  /** The most bytes of column chunks one read of a row group asks for (unless one is larger). */
  static final long BATCH_BYTES = 16L << 20;

  /** Row groups' column chunks read (a batch of columns each) in this JVM: for tests. */
  public static final java.util.concurrent.atomic.LongAdder GROUP_READS =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * Bytes of column chunks fetched by reads in this JVM (a row group's requested columns, whole
   * or as a page-index filter asks): a test's measure that a row group is read once.
   */
  public static final java.util.concurrent.atomic.LongAdder CHUNK_BYTES =
      new java.util.concurrent.atomic.LongAdder();

  /** Reads columns {@code unique} (indexes into {@code cols}) of {@code in}'s rows of {@code g}. */
  private void readGroup(RowGroup g, NumericColumn[] cols, List<Integer> unique,
      List<Slice> in) {
    long end = g.firstRow + g.rows;
    long a = Math.max(in.get(0).from(), g.firstRow);
    long b = Math.min(in.get(in.size() - 1).to(), end);
    BlockMetaData block = footer.getBlocks().get(g.index);
    checkCodecs(g, block, cols, unique);
    // Several slices: their span decoded once (one column at a time), each slice its rows.
    double[] span = in.size() > 1 ? new double[Math.toIntExact(b - a)] : null;
    List<ColumnDescriptor> all = new ArrayList<>();
    for (int i : unique) {
      all.add(cols[i].descriptor());
    }
    int next = 0;
    while (next < unique.size()) {
      List<Integer> batch = new ArrayList<>();
      long bytes = 0;
      while (next < unique.size()) {
        long size = chunk(g.index, block, cols[unique.get(next)]).getTotalSize();
        if (!batch.isEmpty() && bytes + size > BATCH_BYTES) {
          break;
        }
        batch.add(unique.get(next++));
        bytes += size;
      }
      CHUNK_BYTES.add(bytes);
      GROUP_READS.increment();
      PageReadStore pages = pages(g, cols, batch, all, a, b);
      try (PageReadStore release = pages) { // gives the chunks' buffers back when done
        for (int i : batch) {
          NumericColumn col = cols[i];
          try {
            if (span == null) {
              Slice s = in.get(0);
              new PageDecoder(name, pages.getPageReader(col.descriptor()), col, g.index,
                  g.firstRow, a, b).read(s.out()[i], s.at() + (int) (a - s.from()));
              continue;
            }
            new PageDecoder(name, pages.getPageReader(col.descriptor()), col, g.index,
                g.firstRow, a, b).read(span, 0);
          } catch (IOException | ParquetDecodingException e) {
            throw new DataException(name + ": row group " + g.index + ": column '"
                + col.name() + "': corrupt data (" + firstLine(e) + ")", e);
          }
          for (Slice s : in) {
            long sa = Math.max(s.from(), g.firstRow);
            long sb = Math.min(s.to(), end);
            System.arraycopy(span, (int) (sa - a), s.out()[i], s.at() + (int) (sa - s.from()),
                (int) (sb - sa));
          }
        }
      } catch (DataException e) {
        throw e;
      } catch (Exception | LinkageError e) {
        throw new DataException(name + ": row group " + g.index + ": corrupt data ("
            + firstLine(e) + ")", e);
      }
    }
  }

  /**
   * The pages of rows {@code [a, b)} of group {@code g}'s columns {@code batch}; {@code all},
   * every column of the read, is what a page index read for {@code g} is read for.
   */
  private PageReadStore pages(RowGroup g, NumericColumn[] cols, List<Integer> batch,
      List<ColumnDescriptor> all, long a, long b) {
    List<ColumnDescriptor> wanted = new ArrayList<>();
    for (int i : batch) {
      wanted.add(cols[i].descriptor());
    }
    try {
      // Part of a group with a page index: only the pages that hold the rows. Otherwise the
      // whole column chunks; the decoder skips the pages before the rows.
      if ((a == g.firstRow && b == g.firstRow + g.rows) || !g.offsetIndex) {
        reader.setRequestedSchema(wanted);
        return reader.readRowGroup(g.index);
      }
      if (indexed[g.index] == null || !indexed[g.index].containsAll(wanted)) {
        if (indexed[g.index] != null) {
          reopen();
        }
        reader.setRequestedSchema(all);
        reader.getColumnIndexStore(g.index);
        indexed[g.index] = new HashSet<>(all);
      }
      reader.setRequestedSchema(wanted);
      return reader.readFilteredRowGroup(g.index, RowRanges.builder()
          .addSelectedRange(a - g.firstRow, b - 1 - g.firstRow).build());
    } catch (IOException | RuntimeException | LinkageError e) {
      throw new DataException(name + ": row group " + g.index + ": corrupt or unreadable ("
          + firstLine(e) + ")", e);
    }
  }

  /** ParquetFileReaders made in this JVM (one an open, and one a {@link #reopen}): for tests. */
  public static final java.util.concurrent.atomic.LongAdder READERS_OPENED =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * A new reader over the footer already parsed, for a partial read of columns a row group's
   * cached page index lacks (see {@link #indexed}).
   */
  private void reopen() throws IOException {
    reader.close();
    reader = ParquetFileReader.open(file, footer, options, file.newStream());
    READERS_OPENED.increment();
    Arrays.fill(indexed, null);
  }

  private int leaf(NumericColumn col) {
    return leaves.getOrDefault(ColumnPath.get(col.descriptor().getPath()), Integer.MAX_VALUE);
  }

  /** Row group {@code group}'s ({@code block}'s) chunk of {@code col}. */
  private ColumnChunkMetaData chunk(int group, BlockMetaData block, NumericColumn col) {
    // The footer lists a row group's chunks in the schema's order of leaves (Parquet's spec);
    // a writer that did not is looked through.
    ColumnPath path = ColumnPath.get(col.descriptor().getPath());
    Integer leaf = leaves.get(path);
    List<ColumnChunkMetaData> chunks = block.getColumns();
    if (leaf != null && leaf < chunks.size() && chunks.get(leaf).getPath().equals(path)) {
      return chunks.get(leaf);
    }
    for (ColumnChunkMetaData c : chunks) {
      if (c.getPath().equals(path)) {
        return c;
      }
    }
    throw new DataException(name + ": row group " + group + " has no column '"
        + col.name() + "'");
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

  private void checkCodecs(RowGroup g, BlockMetaData block, NumericColumn[] cols,
      List<Integer> unique) {
    NumericColumn first = null; // the first in the file's order
    CompressionCodecName codec = null;
    for (int i : unique) {
      CompressionCodecName c = chunk(g.index, block, cols[i]).getCodec();
      if (!PureJavaCodecs.canRead(c) && (first == null || leaf(cols[i]) < leaf(first))) {
        first = cols[i];
        codec = c;
      }
    }
    if (first != null) {
      throw new DataException(name + ": row group " + g.index + ": column '" + first.name()
          + "' is compressed with " + codec + ", which is not supported "
          + "(supported: UNCOMPRESSED, SNAPPY, GZIP, LZ4_RAW, ZSTD)");
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
