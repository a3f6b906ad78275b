package dev.tapetrain.data.parquet;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A local file for parquet-java's {@code ParquetFileReader}, read through a {@link FileChannel}
 * straight into the buffers the reader allocates for its column chunks.
 *
 * <p>parquet-java's own {@code LocalInputFile} fills a buffer by reading into a new array of the
 * buffer's size and copying it over (and {@code RandomAccessFile} reads through a native buffer
 * as large again): three fresh copies of every column chunk. Memory touched for the first time
 * is what a fresh JVM pays most for on a virtual machine (measured on the 2-vCPU workplace
 * machine: 256 MB of new arrays took 1.2–2.1 s), so reading the chunks once into their buffers
 * saves a large part of a cold scan. The channel reads at most {@value #PIECE} bytes a call, so
 * the JDK's temporary direct buffer for a heap destination stays that small.
 */
public final class ChannelInputFile implements InputFile {

  /** The most one channel read asks for. */
  static final int PIECE = 1 << 20;

  private final Path path;

  /** The file at {@code path}. */
  public ChannelInputFile(Path path) {
    this.path = path;
  }

  @Override
  public long getLength() throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return ch.size();
    }
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new Stream(FileChannel.open(path, StandardOpenOption.READ));
  }

  @Override
  public String toString() {
    return path.toString();
  }

  /** Positional reads of one channel; the position is this stream's own. */
  private static final class Stream extends SeekableInputStream {
    private final FileChannel ch;
    private long pos;

    Stream(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos < 0) {
        throw new EOFException("seek to " + newPos);
      }
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      return read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      if (!buf.hasRemaining()) {
        return 0;
      }
      ByteBuffer part = buf.duplicate();
      part.limit(part.position() + Math.min(part.remaining(), PIECE));
      int n = ch.read(part, pos);
      if (n > 0) {
        pos += n;
        buf.position(buf.position() + n);
      }
      return n;
    }

    @Override
    public void readFully(byte[] b) throws IOException {
      readFully(ByteBuffer.wrap(b));
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
      readFully(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      while (buf.hasRemaining()) {
        if (read(buf) < 0) {
          throw new EOFException("the file ended at byte " + pos + ", " + buf.remaining()
              + " bytes early");
        }
      }
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = Math.max(0, Math.min(n, ch.size() - pos));
      pos += skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ch.size() - pos));
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }
}
