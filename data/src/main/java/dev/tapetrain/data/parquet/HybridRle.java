package dev.tapetrain.data.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Parquet's RLE / bit-packed hybrid encoding of small unsigned integers (definition levels,
 * dictionary indices), decoded a run at a time into an {@code int[]}: a run of one repeated
 * value is a fill, a bit-packed run one pass over its bytes. parquet-java's
 * {@code RunLengthBitPackingHybridDecoder} gives the same values one call each, which a fresh
 * JVM runs in the interpreter for a good part of a million-row column.
 *
 * <p>Runs: a varint header; {@code header & 1 == 0}: {@code header >>> 1} copies of the value in
 * the next {@code ceil(width / 8)} bytes (little-endian); otherwise {@code header >>> 1} groups
 * of 8 values of {@code width} bits, packed from the least significant bit of the first byte.
 * A bit-packed run at the end of a page may be cut short (its last, unused values omitted), as
 * parquet-java accepts. Corrupt input (a header past the end, a width above 32, too few values)
 * is an {@link IOException}, never a wrong value.
 */
final class HybridRle {

  private final ByteBuffer in;
  private final int width;
  private final int repeatedBytes;
  private boolean used;

  HybridRle(ByteBuffer in, int width) throws IOException {
    if (width < 0 || width > 32) {
      throw new IOException("bit width " + width + " of RLE data is not between 0 and 32");
    }
    this.in = in.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    this.width = width;
    this.repeatedBytes = (width + 7) / 8;
  }

  /**
   * The first {@code n} values into {@code out[0 …]} ({@code out} may be longer); once per
   * instance (the rest of a run is not kept).
   *
   * @throws IOException if the data hold fewer values or are corrupt
   */
  void read(int[] out, int n) throws IOException {
    if (used) {
      throw new IllegalStateException("HybridRle.read twice");
    }
    used = true;
    int done = 0;
    while (done < n) {
      if (!in.hasRemaining()) {
        throw new IOException("RLE data end after " + done + " of " + n + " values");
      }
      long header = varint();
      long count = header >>> 1;
      if ((header & 1) == 0) {
        int value = 0;
        if (in.remaining() < repeatedBytes) {
          throw new IOException("RLE data end inside a run's value");
        }
        for (int b = 0; b < repeatedBytes; b++) {
          value |= (in.get() & 0xff) << (8 * b);
        }
        int take = (int) Math.min(count, n - done);
        java.util.Arrays.fill(out, done, done + take, value);
        done += take;
      } else {
        long values = count * 8;
        long bytes = count * width;
        int have = (int) Math.min(bytes, in.remaining());
        int take = (int) Math.min(values, n - done);
        if ((long) take * width > 8L * have) {
          throw new IOException("RLE data end inside a bit-packed run");
        }
        unpack(out, done, take, have);
        done += take;
      }
    }
  }

  /** {@code take} values of the bit-packed run at the buffer's position, then skips its bytes. */
  private void unpack(int[] out, int at, int take, int runBytes) {
    int start = in.position();
    long mask = width == 32 ? 0xffffffffL : (1L << width) - 1;
    long bits = 0;
    int held = 0;
    int p = start;
    for (int k = 0; k < take; k++) {
      while (held < width) {
        bits |= (long) (in.get(p++) & 0xff) << held;
        held += 8;
      }
      out[at + k] = (int) (bits & mask);
      bits >>>= width;
      held -= width;
    }
    in.position(start + runBytes);
  }

  private long varint() throws IOException {
    long v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (!in.hasRemaining()) {
        throw new IOException("RLE data end inside a run header");
      }
      int b = in.get() & 0xff;
      v |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return v;
      }
    }
    throw new IOException("RLE run header too long");
  }
}
