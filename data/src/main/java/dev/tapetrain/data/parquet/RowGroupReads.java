package dev.tapetrain.data.parquet;

import dev.tapetrain.data.DataException;
import dev.tapetrain.data.parquet.ParquetColumns.RowGroup;
import dev.tapetrain.data.parquet.ParquetColumns.Slice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.ParquetReadOptions;
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

/**
 * Reads the row groups of one Parquet file for {@link ParquetColumns}: a row group's columns in
 * batches through the file's one {@link ParquetFileReader}, with the page index of a partly
 * wanted group, decoded by {@link PageDecoder}. Not thread-safe, as {@link ParquetColumns}.
 */
final class RowGroupReads implements AutoCloseable {

  private final String name;
  private final ChannelInputFile file;
  private final ParquetReadOptions options;
  private final ParquetMetadata footer;
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

  RowGroupReads(String name, ChannelInputFile file, ParquetReadOptions options,
      ParquetFileReader reader) {
    this.name = name;
    this.file = file;
    this.options = options;
    this.reader = reader;
    this.footer = reader.getFooter();
    @SuppressWarnings("unchecked")
    Set<ColumnDescriptor>[] none = new Set[footer.getBlocks().size()];
    this.indexed = none;
    List<ColumnDescriptor> leafList = footer.getFileMetaData().getSchema().getColumns();
    for (int i = 0; i < leafList.size(); i++) {
      leaves.put(ColumnPath.get(leafList.get(i).getPath()), i);
    }
  }

  /**
   * The most bytes of column chunks one read of a row group asks for (unless one is larger).
   * Each reader holds its largest batch's buffers, memory a fresh JVM pays for on first touch:
   * 8 MiB (a column chunk of 1M doubles) rather than 16 saves a scan of two threads some 16 MB
   * of new memory, and still reads a wide file's small chunks by the hundred.
   */
  static final long BATCH_BYTES = 8L << 20;

  /** Reads columns {@code unique} (indexes into {@code cols}) of {@code in}'s rows of {@code g}. */
  void readGroup(RowGroup g, NumericColumn[] cols, List<Integer> unique,
      List<Slice> in) {
    long end = g.firstRow() + g.rows();
    long a = Math.max(in.get(0).from(), g.firstRow());
    long b = Math.min(in.get(in.size() - 1).to(), end);
    BlockMetaData block = footer.getBlocks().get(g.index());
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
        long size = chunk(g.index(), block, cols[unique.get(next)]).getTotalSize();
        if (!batch.isEmpty() && bytes + size > BATCH_BYTES) {
          break;
        }
        batch.add(unique.get(next++));
        bytes += size;
      }
      ParquetColumns.CHUNK_BYTES.add(bytes);
      ParquetColumns.GROUP_READS.increment();
      PageReadStore pages = pages(g, cols, batch, all, a, b);
      try (PageReadStore release = pages) { // gives the chunks' buffers back when done
        for (int i : batch) {
          NumericColumn col = cols[i];
          try {
            if (span == null) {
              Slice s = in.get(0);
              new PageDecoder(name, pages.getPageReader(col.descriptor()), col, g.index(),
                  g.firstRow(), a, b).read(s.out()[i], s.at() + (int) (a - s.from()));
              continue;
            }
            new PageDecoder(name, pages.getPageReader(col.descriptor()), col, g.index(),
                g.firstRow(), a, b).read(span, 0);
          } catch (IOException | ParquetDecodingException e) {
            throw new DataException(name + ": row group " + g.index() + ": column '"
                + col.name() + "': corrupt data (" + ParquetColumns.firstLine(e) + ")", e);
          }
          for (Slice s : in) {
            long sa = Math.max(s.from(), g.firstRow());
            long sb = Math.min(s.to(), end);
            System.arraycopy(span, (int) (sa - a), s.out()[i], s.at() + (int) (sa - s.from()),
                (int) (sb - sa));
          }
        }
      } catch (DataException e) {
        throw e;
      } catch (Exception | LinkageError e) {
        throw new DataException(name + ": row group " + g.index() + ": corrupt data ("
            + ParquetColumns.firstLine(e) + ")", e);
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
      if ((a == g.firstRow() && b == g.firstRow() + g.rows()) || !g.offsetIndex()) {
        reader.setRequestedSchema(wanted);
        return reader.readRowGroup(g.index());
      }
      if (indexed[g.index()] == null || !indexed[g.index()].containsAll(wanted)) {
        if (indexed[g.index()] != null) {
          reopen();
        }
        reader.setRequestedSchema(all);
        reader.getColumnIndexStore(g.index());
        indexed[g.index()] = new HashSet<>(all);
      }
      reader.setRequestedSchema(wanted);
      return reader.readFilteredRowGroup(g.index(), RowRanges.builder()
          .addSelectedRange(a - g.firstRow(), b - 1 - g.firstRow()).build());
    } catch (IOException | RuntimeException | LinkageError e) {
      throw new DataException(name + ": row group " + g.index() + ": corrupt or unreadable ("
          + ParquetColumns.firstLine(e) + ")", e);
    }
  }

  /**
   * A new reader over the footer already parsed, for a partial read of columns a row group's
   * cached page index lacks (see {@code indexed}).
   */
  private void reopen() throws IOException {
    reader.close();
    reader = ParquetFileReader.open(file, footer, options, file.newStream());
    ParquetColumns.READERS_OPENED.increment();
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

  private void checkCodecs(RowGroup g, BlockMetaData block, NumericColumn[] cols,
      List<Integer> unique) {
    NumericColumn first = null; // the first in the file's order
    CompressionCodecName codec = null;
    for (int i : unique) {
      CompressionCodecName c = chunk(g.index(), block, cols[i]).getCodec();
      if (!PureJavaCodecs.canRead(c) && (first == null || leaf(cols[i]) < leaf(first))) {
        first = cols[i];
        codec = c;
      }
    }
    if (first != null) {
      throw new DataException(name + ": row group " + g.index() + ": column '" + first.name()
          + "' is compressed with " + codec + ", which is not supported "
          + "(supported: UNCOMPRESSED, SNAPPY, GZIP, LZ4_RAW, ZSTD)");
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
}
