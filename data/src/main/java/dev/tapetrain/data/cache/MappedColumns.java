package dev.tapetrain.data.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.zip.CRC32C;

/**
 * A column-cache file mapped into memory, read-only: the values stay in the OS page cache, off
 * the heap, and are copied out bit for bit. JDK 17 maps at most 2 GiB per buffer, so each column
 * is mapped in parts of {@value #PART_SHIFT}-bit (1 GiB) ranges. Safe for several threads (every
 * read is absolute).
 *
 * <p>Use: {@link #verify} each range of rows before reading it (each 1 MiB block's checksum is
 * checked once per mapping), then {@link #copy}.
 */
public final class MappedColumns {

  /** Doubles per mapped part, as a power of two (2^27 doubles: 1 GiB). */
  static final int PART_SHIFT = 27;

  private final Path file;
  private final Object fileKey;
  private final CacheFile.Header header;
  private final MappedByteBuffer[][] bytes;
  private final DoubleBuffer[][] doubles;
  private final BitSet verified = new BitSet();

  private MappedColumns(Path file, Object fileKey, CacheFile.Header header,
      MappedByteBuffer[][] bytes) {
    this.file = file;
    this.fileKey = fileKey;
    this.header = header;
    this.bytes = bytes;
    this.doubles = new DoubleBuffer[bytes.length][];
    for (int c = 0; c < bytes.length; c++) {
      doubles[c] = new DoubleBuffer[bytes[c].length];
      for (int p = 0; p < bytes[c].length; p++) {
        doubles[c][p] = bytes[c][p].duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
      }
    }
  }

  /** Maps {@code ch} (whose header was read as {@code header}). */
  static MappedColumns map(Path file, Object fileKey, FileChannel ch, CacheFile.Header header)
      throws IOException {
    long rows = header.rows();
    int parts = (int) ((rows + (1L << PART_SHIFT) - 1) >> PART_SHIFT);
    MappedByteBuffer[][] bytes = new MappedByteBuffer[header.columns()][parts];
    for (int c = 0; c < header.columns(); c++) {
      for (int p = 0; p < parts; p++) {
        long first = (long) p << PART_SHIFT;
        long count = Math.min(1L << PART_SHIFT, rows - first);
        bytes[c][p] = ch.map(FileChannel.MapMode.READ_ONLY,
            header.dataStart() + 8 * (c * rows + first), 8 * count);
      }
    }
    return new MappedColumns(file, fileKey, header, bytes);
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The file's identity (inode) when it was mapped. */
  Object fileKey() {
    return fileKey;
  }

  /** The block checksums the file's header holds. */
  int[] crcs() {
    return header.crcs();
  }

  /** Rows. */
  public long rows() {
    return header.rows();
  }

  /** Columns: the features, then the target. */
  public int columns() {
    return header.columns();
  }

  /** The digest of the data the file was built from, as their input format proved it. */
  public String digest() {
    return header.digest();
  }

  /**
   * Checks the checksums of the blocks holding rows {@code [from, to)} of every column (each
   * block once per mapping).
   *
   * @return the bytes checked now (read through the mapping): 0 for blocks checked before
   * @throws CorruptCacheException naming the file, column and block that differ
   */
  public long verify(long from, long to) {
    long checked = 0;
    if (from >= to) {
      return checked;
    }
    long blocks = header.blocksPerColumn();
    CRC32C crc = new CRC32C();
    for (int c = 0; c < columns(); c++) {
      for (long b = from >> CacheFile.BLOCK_SHIFT; b <= (to - 1) >> CacheFile.BLOCK_SHIFT; b++) {
        int index = (int) (c * blocks + b);
        synchronized (verified) {
          if (verified.get(index)) {
            continue;
          }
        }
        long first = b << CacheFile.BLOCK_SHIFT;
        long count = Math.min(1L << CacheFile.BLOCK_SHIFT, rows() - first);
        MappedByteBuffer part = bytes[c][(int) (first >> PART_SHIFT)];
        int at = (int) (8 * (first & ((1L << PART_SHIFT) - 1)));
        crc.reset();
        crc.update(part.slice(at, (int) (8 * count)));
        if ((int) crc.getValue() != header.crcs()[index]) {
          throw new CorruptCacheException(file, file + ": column cache damaged (column " + c
              + ", rows " + first + ".." + (first + count - 1) + ": checksum differs)");
        }
        synchronized (verified) {
          verified.set(index);
        }
        checked += 8 * count;
      }
    }
    return checked;
  }

  /**
   * Copies rows {@code [from, from + n)} of {@code column} into {@code dst[at …]}.
   *
   * @throws IndexOutOfBoundsException if the rows are not all in the file
   */
  public void copy(int column, long from, double[] dst, int at, int n) {
    if (from < 0 || n < 0 || from + n > rows()) {
      throw new IndexOutOfBoundsException("rows " + from + " + " + n + " of " + rows());
    }
    DoubleBuffer[] parts = doubles[column];
    while (n > 0) {
      int p = (int) (from >> PART_SHIFT);
      int in = (int) (from & ((1L << PART_SHIFT) - 1));
      int take = Math.min(n, parts[p].capacity() - in);
      parts[p].get(in, dst, at, take);
      from += take;
      at += take;
      n -= take;
    }
  }

  /** Checksum of the values {@code buffer} holds (a whole block), as the file stores it. */
  static int crc(ByteBuffer buffer) {
    CRC32C crc = new CRC32C();
    crc.update(buffer);
    return (int) crc.getValue();
  }

  /** A cache file whose values no longer match their checksums. */
  public static final class CorruptCacheException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    CorruptCacheException(Path file, String message) {
      super(message);
      this.file = file;
    }

    /** The damaged file. */
    public Path file() {
      return file;
    }
  }
}
