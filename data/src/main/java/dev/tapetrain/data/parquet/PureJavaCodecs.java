package dev.tapetrain.data.parquet;

import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
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
 * Parquet page codecs in pure Java, with no Hadoop class and no native library: SNAPPY, ZSTD and
 * LZ4_RAW from aircompressor, GZIP from {@code java.util.zip}, and UNCOMPRESSED.
 *
 * <p>parquet-java's own {@code CodecFactory} goes through Hadoop's {@code CompressionCodec}
 * (hadoop-common) and snappy-java / zstd-jni (native code unpacked to /tmp at first use). Handing
 * this factory to {@code ParquetReadOptions.Builder.withCodecFactory} and
 * {@code ParquetWriter.Builder.withCodecFactory} avoids all of that. BROTLI, LZO and the
 * deprecated Hadoop-framed LZ4 are refused with a message naming the codec.
 *
 * <p>Not thread-safe per instance in parquet-java's sense: one reader or writer at a time (each
 * {@link ParquetColumns} makes its own). The aircompressor codec objects hold no state between
 * calls except zstd's, which is per factory.
 */
public final class PureJavaCodecs implements CompressionCodecFactory {

  private final Map<CompressionCodecName, BytesInputDecompressor> decompressors =
      new EnumMap<>(CompressionCodecName.class);
  private final Map<CompressionCodecName, BytesInputCompressor> compressors =
      new EnumMap<>(CompressionCodecName.class);

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return decompressors.computeIfAbsent(codec, PureJavaCodecs::newDecompressor);
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
      case ZSTD:
      case LZ4_RAW:
      case GZIP:
        return true;
      default:
        return false;
    }
  }

  private static BytesInputDecompressor newDecompressor(CompressionCodecName codec) {
    switch (codec) {
      case UNCOMPRESSED:
        return new Passthrough();
      case SNAPPY:
        return new Block(new SnappyDecompressor());
      case ZSTD:
        return new Block(new ZstdDecompressor());
      case LZ4_RAW:
        return new Block(new Lz4Decompressor());
      case GZIP:
        return new Gzip();
      default:
        throw new UnsupportedCodecException(codec);
    }
  }

  private static BytesInputCompressor newCompressor(CompressionCodecName codec) {
    switch (codec) {
      case UNCOMPRESSED:
        return new BlockCompressor(codec, null);
      case SNAPPY:
        return new BlockCompressor(codec, new SnappyCompressor());
      case ZSTD:
        return new BlockCompressor(codec, new ZstdCompressor());
      case LZ4_RAW:
        return new BlockCompressor(codec, new Lz4Compressor());
      case GZIP:
        return new BlockCompressor(codec, null);
      default:
        throw new UnsupportedCodecException(codec);
    }
  }

  /** A codec this factory does not have (BROTLI, LZO, Hadoop-framed LZ4). */
  public static final class UnsupportedCodecException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;
    final transient CompressionCodecName codec;

    UnsupportedCodecException(CompressionCodecName codec) {
      super("compression codec " + codec + " is not supported (supported: UNCOMPRESSED, SNAPPY, "
          + "ZSTD, GZIP, LZ4_RAW)");
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

  /** A block codec: one compressed block per page, as parquet writes SNAPPY, ZSTD, LZ4_RAW. */
  private static final class Block implements BytesInputDecompressor {
    private final Decompressor codec;

    Block(Decompressor codec) {
      this.codec = codec;
    }

    @Override
    @SuppressWarnings("deprecation")
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      ByteBuffer in = bytes.toByteBuffer(); // a slice of the column chunk's heap buffer: no copy
      byte[] out = new byte[decompressedSize];
      int n;
      try {
        if (in.hasArray()) {
          n = codec.decompress(in.array(), in.arrayOffset() + in.position(), in.remaining(), out,
              0, decompressedSize);
        } else {
          byte[] copy = new byte[in.remaining()];
          in.duplicate().get(copy);
          n = codec.decompress(copy, 0, copy.length, out, 0, decompressedSize);
        }
      } catch (MalformedInputException e) {
        throw new IOException("corrupt compressed page: " + e.getMessage(), e);
      }
      if (n != decompressedSize) {
        throw new IOException("corrupt compressed page: " + n + " bytes decompressed, the page "
            + "header says " + decompressedSize);
      }
      return BytesInput.from(out);
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output,
        int decompressedSize) throws IOException {
      ByteBuffer in = input.duplicate();
      in.limit(in.position() + compressedSize);
      ByteBuffer out = output.duplicate();
      out.limit(out.position() + decompressedSize);
      try {
        codec.decompress(in, out);
      } catch (MalformedInputException e) {
        throw new IOException("corrupt compressed page: " + e.getMessage(), e);
      }
      output.position(output.position() + decompressedSize);
    }

    @Override
    public void release() {}
  }

  private static final class Gzip implements BytesInputDecompressor {
    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      byte[] out = new byte[decompressedSize];
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
      }
      return BytesInput.from(out);
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
    private final Compressor codec; // null: UNCOMPRESSED or GZIP

    BlockCompressor(CompressionCodecName name, Compressor codec) {
      this.name = name;
      this.codec = codec;
    }

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      if (name == CompressionCodecName.UNCOMPRESSED) {
        return bytes;
      }
      @SuppressWarnings("deprecation")
      byte[] in = bytes.toByteArray();
      if (name == CompressionCodecName.GZIP) {
        ByteArrayOutputStream baos = new ByteArrayOutputStream(in.length / 2 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(baos)) {
          gz.write(in);
        }
        return BytesInput.from(baos.toByteArray());
      }
      byte[] out = new byte[codec.maxCompressedLength(in.length)];
      int n = codec.compress(in, 0, in.length, out, 0, out.length);
      return BytesInput.from(out, 0, n);
    }

    @Override
    public CompressionCodecName getCodecName() {
      return name;
    }

    @Override
    public void release() {}
  }
}
