package dev.tapetrain.data.cache;

import dev.tapetrain.data.DataException;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.data.ReadCount;
import dev.tapetrain.data.Segment;
import dev.tapetrain.protocol.DatasetSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a dataset's cache file: its chunks are read by the dataset's own input format (which
 * proves each read against the coordinator's digests, as for any worker), a few MiB at a time,
 * and written column by column into a temporary file beside the target; then the block
 * checksums and the header, a flush to disk, and one atomic rename. A reader sees no file or a
 * complete one; a failure leaves no temporary file behind.
 */
final class CacheBuilder {

  /** The heap a build holds at once for samples, at most (whole chunks, at least one). */
  static final long BATCH_BYTES = 32L << 20;
  private static final int IO_BYTES = 1 << 20;

  /** Files built by this JVM, for tests that a second run reuses the first one's. */
  static final AtomicLong BUILDS = new AtomicLong();

  private CacheBuilder() {}

  /**
   * Builds {@code target} for {@code dataset} (its key {@code key}).
   *
   * @throws DataException if the data cannot be read or are not the coordinator's
   * @throws IOException if the file cannot be written
   */
  static void build(DatasetSpec dataset, String key, Path target) throws IOException {
    build(dataset, key, target, BATCH_BYTES);
  }

  /**
   * As {@link #build(DatasetSpec, String, Path)}, returning what it read from the data files
   * (bytes, or -1 if another load of this JVM ran at the same time: {@link ReadCount}).
   */
  static long buildCounted(DatasetSpec dataset, String key, Path target) throws IOException {
    ReadCount count = ReadCount.start();
    long bytes;
    try {
      build(dataset, key, target, BATCH_BYTES);
    } finally {
      bytes = count.stop();
    }
    return bytes;
  }

  /** As {@link #build(DatasetSpec, String, Path)}, reading at most {@code batchBytes} at once. */
  static void build(DatasetSpec dataset, String key, Path target, long batchBytes)
      throws IOException {
    DatasetSpec.Source src = dataset.source();
    int columns = src.features() + 1;
    long rows = src.rows();
    long start = CacheFile.dataStart(columns, rows);
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-"
        + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      writeValues(dataset, ch, start, batchBytes);
      int[] crcs = checksums(ch, columns, rows, start);
      String digest = dataset.digest();
      ByteBuffer header = CacheFile.header(columns, rows, key, digest, crcs);
      writeFully(ch, header, 0);
      ch.force(true);
    } catch (IOException | RuntimeException | Error e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not POSIX: nothing more to make durable.
    }
    BUILDS.incrementAndGet();
  }

  /** Reads every chunk, in runs of at most {@code batchBytes}, and writes its columns. */
  private static void writeValues(DatasetSpec dataset, FileChannel ch, long start,
      long batchBytes) throws IOException {
    InputFormat format = InputFormats.of(dataset.source());
    int features = dataset.features();
    long rows = dataset.examples();
    long perSample = 8L * (features + 1);
    ByteBuffer io = ByteBuffer.allocateDirect(IO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int chunk = 0;
    while (chunk < dataset.numChunks()) {
      int first = chunk;
      long samples = 0;
      while (chunk < dataset.numChunks() && (chunk == first
          || (samples + dataset.chunkLength(chunk)) * perSample <= batchBytes)) {
        samples += dataset.chunkLength(chunk++);
      }
      int[] starts = new int[chunk - first + 1];
      for (int c = first; c < chunk; c++) {
        starts[c - first + 1] = starts[c - first] + dataset.chunkLength(c);
      }
      Segment seg = new Segment(first, starts, new double[features][(int) samples],
          new double[(int) samples]);
      String digest = format.load(dataset, List.of(seg));
      if (!digest.equals(dataset.digest())) {
        throw new DataException("the data read for the column cache differ from the "
            + "coordinator's (digest " + digest + " here, " + dataset.digest() + " there)");
      }
      long row = dataset.chunkStart(first);
      for (int c = 0; c <= features; c++) {
        double[] values = c < features ? seg.x()[c] : seg.y();
        writeColumn(ch, io, values, start + 8 * (c * rows + row));
      }
    }
  }

  private static void writeColumn(FileChannel ch, ByteBuffer io, double[] values, long at)
      throws IOException {
    int per = IO_BYTES / 8;
    for (int i = 0; i < values.length; i += per) {
      int n = Math.min(per, values.length - i);
      io.clear();
      io.asDoubleBuffer().put(values, i, n);
      io.limit(8 * n);
      writeFully(ch, io, at + 8L * i);
    }
  }

  /** The CRC32C of each block of each column, read back from the file. */
  private static int[] checksums(FileChannel ch, int columns, long rows, long start)
      throws IOException {
    long blocks = CacheFile.blocks(rows);
    int[] crcs = new int[(int) (columns * blocks)];
    ByteBuffer io = ByteBuffer.allocateDirect(8 << CacheFile.BLOCK_SHIFT);
    for (int c = 0; c < columns; c++) {
      for (long b = 0; b < blocks; b++) {
        long first = b << CacheFile.BLOCK_SHIFT;
        long count = Math.min(1L << CacheFile.BLOCK_SHIFT, rows - first);
        io.clear().limit((int) (8 * count));
        long at = start + 8 * (c * rows + first);
        while (io.hasRemaining()) {
          if (ch.read(io, at + io.position()) < 0) {
            throw new IOException("short read in " + ch);
          }
        }
        io.flip();
        crcs[(int) (c * blocks + b)] = MappedColumns.crc(io);
      }
    }
    return crcs;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }
}
