package dev.tapetrain.data.parquet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet page codecs in pure Java, with no Hadoop class and no native library: SNAPPY and
 * LZ4_RAW decoded by {@link BlockCodecs}, GZIP by {@code java.util.zip}, ZSTD by aircompressor
 * (its only codec here that calls {@code sun.misc.Unsafe}, which JDK 24 and later warn about
 * unless started with {@code -Dsun.misc.unsafe.memory.access=allow}, as Akka and protobuf
 * already need), and UNCOMPRESSED. BROTLI, LZO and the deprecated Hadoop-framed LZ4 are refused
 * with a message naming the codec.
 *
 * <p>parquet-java's own {@code CodecFactory} goes through Hadoop's {@code CompressionCodec}
 * (hadoop-common) and snappy-java / zstd-jni (native code unpacked to /tmp at first use). Handing
 * this factory to the read options and to {@code ParquetWriter.Builder.withCodecFactory} avoids
 * all of that. Writing (for tests) knows UNCOMPRESSED, GZIP and SNAPPY (as literals only: valid,
 * not small).
 *
 * <p>Not thread-safe per instance in parquet-java's sense: one reader or writer at a time (each
 * {@link ParquetColumns} makes its own); the codecs themselves hold no state between calls,
 * except that those of {@link #reusingPages} write every page into one array.
 */
public final class PureJavaCodecs implements CompressionCodecFactory {

  private final Map<CompressionCodecName, BytesInputDecompressor> decompressors =
      new EnumMap<>(CompressionCodecName.class);
  private final Map<CompressionCodecName, BytesInputCompressor> compressors =
      new EnumMap<>(CompressionCodecName.class);
  private final boolean reusePages;

  /** Codecs that give each decompressed page an array of its own. */
  public PureJavaCodecs() {
    this(false);
  }

  private PureJavaCodecs(boolean reusePages) {
    this.reusePages = reusePages;
  }

  /**
   * Codecs whose decompressors write every page into one array of theirs, grown as needed, so a
   * page's bytes are valid only until the next page is decompressed: for a reader that is done
   * with a page before it asks for the next ({@link ParquetColumns}, whose decoder copies the
   * values out of each page, and a dictionary page whose values it keeps as they are). A fresh
   * JVM pays for every new array it touches (see {@link ChannelInputFile}); a 1M-row file of 11
   * columns is some 90 pages of 1 MiB.
   */
  static PureJavaCodecs reusingPages() {
    return new PureJavaCodecs(true);
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return decompressors.computeIfAbsent(codec, c -> newDecompressor(c, reusePages));
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return compressors.computeIfAbsent(codec, PureJavaCodecs::newCompressor);
  }

  @Override
  public void release() {
    decompressors.clear();
    compressors.clear();
  }

  /** Whether pages compressed with {@code codec} can be read. */
  public static boolean canRead(CompressionCodecName codec) {
    switch (codec) {
      case UNCOMPRESSED:
      case SNAPPY:
      case LZ4_RAW:
      case GZIP:
      case ZSTD:
        return true;
      default:
        return false;
    }
  }

  private static BytesInputDecompressor newDecompressor(CompressionCodecName codec,
      boolean reuse) {
    switch (codec) {
      case UNCOMPRESSED:
        return new Passthrough();
      case SNAPPY:
        return new Block(BlockCodecs::snappy, reuse);
      case LZ4_RAW:
        return new Block(BlockCodecs::lz4, reuse);
      case ZSTD:
        return new Block(PureJavaCodecs::zstd, reuse);
      case GZIP:
        return new Gzip(reuse);
      default:
        throw new UnsupportedCodecException(codec);
    }
  }

  private static BytesInputCompressor newCompressor(CompressionCodecName codec) {
    switch (codec) {
      case UNCOMPRESSED:
        return new BlockCompressor(codec);
      case SNAPPY:
      case GZIP:
        return new BlockCompressor(codec);
      default:
        throw new UnsupportedCodecException(codec);
    }
  }

  private static int zstd(byte[] in, int off, int len, byte[] out, int outOff, int outLen)
      throws IOException {
    int n;
    try {
      n = new io.airlift.compress.zstd.ZstdDecompressor().decompress(in, off, len, out, outOff,
          outLen);
    } catch (RuntimeException e) { // MalformedInputException and bounds alike
      throw new IOException("corrupt ZSTD page: " + e.getMessage(), e);
    }
    if (n != outLen) {
      throw new IOException("corrupt ZSTD page: " + n + " bytes decompressed, the page header "
          + "says " + outLen);
    }
    return n;
  }

  /** A codec this factory does not have (BROTLI, LZO, Hadoop-framed LZ4). */
  public static final class UnsupportedCodecException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;
    final transient CompressionCodecName codec;

    UnsupportedCodecException(CompressionCodecName codec) {
      super("compression codec " + codec + " is not supported (supported: UNCOMPRESSED, SNAPPY, "
          + "GZIP, LZ4_RAW, ZSTD)");
      this.codec = codec;
    }
  }

  private static final class Passthrough implements BytesInputDecompressor {
    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) {
      return bytes;
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output,
        int decompressedSize) {
      ByteBuffer in = input.duplicate();
      in.limit(in.position() + compressedSize);
      output.put(in);
    }

    @Override
    public void release() {}
  }

  /** Decodes one block into a byte array. */
  @FunctionalInterface
  private interface BlockDecoder {
    int decode(byte[] in, int off, int len, byte[] out, int outOff, int outLen)
        throws IOException;
  }

  /** A block codec: one compressed block per page, as parquet writes SNAPPY and LZ4_RAW. */
  /** The array a page is decompressed into: a new one each time, or one kept and reused. */
  private static final class PageArray {
    private final boolean reuse;
    private byte[] kept = new byte[0];

    PageArray(boolean reuse) {
      this.reuse = reuse;
    }

    byte[] take(int size) {
      if (!reuse) {
        return new byte[size];
      }
      if (kept.length < size) {
        kept = new byte[size];
      }
      return kept;
    }
  }

  private static final class Block implements BytesInputDecompressor {
    private final BlockDecoder codec;
    private final PageArray pages;

    Block(BlockDecoder codec, boolean reuse) {
      this.codec = codec;
      this.pages = new PageArray(reuse);
    }

    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      ByteBuffer in = bytes.toByteBuffer(); // a slice of the column chunk's heap buffer: no copy
      byte[] out = pages.take(decompressedSize);
      if (in.hasArray()) {
        codec.decode(in.array(), in.arrayOffset() + in.position(), in.remaining(), out, 0,
            decompressedSize);
      } else {
        byte[] copy = new byte[in.remaining()];
        in.duplicate().get(copy);
        codec.decode(copy, 0, copy.length, out, 0, decompressedSize);
      }
      return BytesInput.from(out, 0, decompressedSize);
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output,
        int decompressedSize) throws IOException {
      byte[] in = new byte[compressedSize];
      input.duplicate().get(in);
      byte[] out = new byte[decompressedSize];
      codec.decode(in, 0, compressedSize, out, 0, decompressedSize);
      output.put(out);
    }

    @Override
    public void release() {}
  }

  private static final class Gzip implements BytesInputDecompressor {
    private final PageArray pages;

    Gzip(boolean reuse) {
      this.pages = new PageArray(reuse);
    }

    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      byte[] out = pages.take(decompressedSize);
      try (InputStream in = new GZIPInputStream(bytes.toInputStream(), 1 << 16)) {
        int off = 0;
        while (off < decompressedSize) {
          int n = in.read(out, off, decompressedSize - off);
          if (n < 0) {
            throw new IOException("corrupt GZIP page: " + off + " bytes, the page header says "
                + decompressedSize);
          }
          off += n;
        }
        // Reading on to the end makes GZIPInputStream check the member's trailer (CRC-32 and
        // length): a damaged page that still inflates to its size is refused, not read.
        if (in.read() >= 0) {
          throw new IOException("corrupt GZIP page: more than the " + decompressedSize
              + " bytes the page header says");
        }
      }
      return BytesInput.from(out, 0, decompressedSize);
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output,
        int decompressedSize) throws IOException {
      ByteBuffer in = input.duplicate();
      in.limit(in.position() + compressedSize);
      BytesInput d = decompress(BytesInput.from(in), decompressedSize);
      output.put(d.toByteBuffer());
    }

    @Override
    public void release() {}
  }

  private static final class BlockCompressor implements BytesInputCompressor {
    private final CompressionCodecName name;

    BlockCompressor(CompressionCodecName name) {
      this.name = name;
    }

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      if (name == CompressionCodecName.UNCOMPRESSED) {
        return bytes;
      }
      @SuppressWarnings("deprecation")
      byte[] in = bytes.toByteArray();
      if (name == CompressionCodecName.SNAPPY) {
        return BytesInput.from(BlockCodecs.snappyLiterals(in));
      }
      ByteArrayOutputStream baos = new ByteArrayOutputStream(in.length / 2 + 64);
      try (GZIPOutputStream gz = new GZIPOutputStream(baos)) {
        gz.write(in);
      }
      return BytesInput.from(baos.toByteArray());
    }

    @Override
    public CompressionCodecName getCodecName() {
      return name;
    }

    @Override
    public void release() {}
  }
}
