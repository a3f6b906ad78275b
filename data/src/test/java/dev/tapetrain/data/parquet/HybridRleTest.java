package dev.tapetrain.data.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.DirectByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.junit.jupiter.api.Test;

/**
 * {@link HybridRle} gives parquet-java's own decoder's values for what parquet-java's encoder
 * writes: every bit width, runs of repeats and bit-packed runs mixed, cut short at any length;
 * corrupt data is an {@link IOException}.
 */
class HybridRleTest {

  private static byte[] encode(int width, int[] values) throws IOException {
    RunLengthBitPackingHybridEncoder e = new RunLengthBitPackingHybridEncoder(width, 64, 1 << 20,
        new DirectByteBufferAllocator());
    for (int v : values) {
      e.writeInt(v);
    }
    return e.toBytes().toByteArray();
  }

  private static int[] theirs(int width, byte[] bytes, int n) throws IOException {
    RunLengthBitPackingHybridDecoder d = new RunLengthBitPackingHybridDecoder(width,
        ByteBufferInputStream.wrap(ByteBuffer.wrap(bytes)));
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = d.readInt();
    }
    return out;
  }

  @Test
  void theSameValuesAsParquetJavasDecoder() throws IOException {
    SplittableRandom r = new SplittableRandom(28);
    for (int width = 0; width <= 32; width++) {
      for (int trial = 0; trial < 6; trial++) {
        int n = 1 + r.nextInt(3000);
        int[] values = new int[n];
        long bound = width == 0 ? 1 : 1L << width;
        int i = 0;
        while (i < n) {
          int run = 1 + r.nextInt(trial % 2 == 0 ? 40 : 3);
          int v = (int) r.nextLong(bound);
          boolean repeat = r.nextBoolean();
          for (int k = 0; k < run && i < n; k++) {
            values[i++] = repeat ? v : (int) r.nextLong(bound);
          }
        }
        byte[] bytes = encode(width, values);
        for (int take : new int[] {n, n / 2, 1}) {
          int[] ours = new int[take + 3];
          new HybridRle(ByteBuffer.wrap(bytes), width).read(ours, take);
          String what = "width " + width + ", " + take + " of " + n;
          assertArrayEquals(theirs(width, bytes, take), Arrays.copyOf(ours, take), what);
          assertArrayEquals(Arrays.copyOf(values, take), Arrays.copyOf(ours, take), what);
        }
      }
    }
  }

  @Test
  void corruptDataIsAnIoException() throws IOException {
    byte[] bytes = encode(5, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    // Asking for more values than the data hold.
    assertThrows(IOException.class, () -> new HybridRle(ByteBuffer.wrap(bytes), 5)
        .read(new int[100], 100));
    // A header that never ends, a value cut off, a bit-packed run cut inside its values.
    assertThrows(IOException.class, () -> new HybridRle(ByteBuffer.wrap(new byte[] {
        (byte) 0x80, (byte) 0x80}), 3).read(new int[1], 1));
    assertThrows(IOException.class, () -> new HybridRle(ByteBuffer.wrap(new byte[] {4, 1}), 12)
        .read(new int[1], 1));
    assertThrows(IOException.class, () -> new HybridRle(ByteBuffer.wrap(new byte[] {3, 1}), 12)
        .read(new int[8], 8));
    assertThrows(IOException.class, () -> new HybridRle(ByteBuffer.wrap(bytes), 33));
  }
}
