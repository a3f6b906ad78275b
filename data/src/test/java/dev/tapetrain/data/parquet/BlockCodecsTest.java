package dev.tapetrain.data.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.airlift.compress.Compressor;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.snappy.SnappyCompressor;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Snappy and LZ4 decoders against an independent encoder (aircompressor's, test scope):
 * random, repetitive and mixed inputs of many sizes decode to the original bytes; corrupt blocks
 * are an IOException, never an exception of the array bounds.
 */
class BlockCodecsTest {

  @FunctionalInterface
  interface Decoder {
    int decode(byte[] in, int off, int len, byte[] out, int outOff, int outLen)
        throws IOException;
  }

  private static byte[] sample(SplittableRandom rnd, int n) {
    byte[] b = new byte[n];
    int i = 0;
    while (i < n) {
      int run = 1 + rnd.nextInt(300);
      switch (rnd.nextInt(3)) {
        case 0 -> { // noise
          for (int k = 0; k < run && i < n; k++) {
            b[i++] = (byte) rnd.nextInt();
          }
        }
        case 1 -> { // one byte repeated: overlapping copies
          byte v = (byte) rnd.nextInt();
          for (int k = 0; k < run && i < n; k++) {
            b[i++] = v;
          }
        }
        default -> { // an earlier stretch again: far copies
          int from = i == 0 ? 0 : rnd.nextInt(i);
          for (int k = 0; k < run && i < n; k++) {
            b[i++] = b[from + k];
          }
        }
      }
    }
    return b;
  }

  private static void roundTrips(Compressor encoder, Decoder decoder) throws IOException {
    SplittableRandom rnd = new SplittableRandom(28);
    for (int n : new int[] {0, 1, 3, 15, 16, 64, 255, 256, 1000, 4096, 65_536, 300_000}) {
      byte[] in = sample(rnd, n);
      byte[] packed = new byte[encoder.maxCompressedLength(n) + 7];
      int len = encoder.compress(in, 0, n, packed, 7, packed.length - 7);
      byte[] out = new byte[n + 5];
      decoder.decode(packed, 7, len, out, 5, n);
      assertArrayEquals(in, Arrays.copyOfRange(out, 5, n + 5), "n = " + n);
      // every truncation and a flipped byte: refused or (rarely) other bytes, never a crash
      for (int cut = 0; cut < Math.min(len, 40); cut++) {
        byte[] shorter = Arrays.copyOf(Arrays.copyOfRange(packed, 7, 7 + len), cut);
        assertThrows(IOException.class, () -> decoder.decode(shorter, 0, shorter.length,
            new byte[n], 0, n), "cut at " + cut + " of n = " + n);
      }
      if (len > 2) {
        byte[] flipped = Arrays.copyOfRange(packed, 7, 7 + len);
        for (int k = 0; k < 50; k++) {
          flipped[rnd.nextInt(len)] ^= (byte) (1 + rnd.nextInt(255));
          try {
            decoder.decode(flipped, 0, len, new byte[n], 0, n);
          } catch (IOException expected) {
            assertTrue(expected.getMessage().startsWith("corrupt "), expected.getMessage());
          }
        }
      }
    }
  }

  @Test
  void snappyBlocksDecodeToTheOriginalBytes() throws IOException {
    roundTrips(new SnappyCompressor(), BlockCodecs::snappy);
  }

  @Test
  void lz4BlocksDecodeToTheOriginalBytes() throws IOException {
    roundTrips(new Lz4Compressor(), BlockCodecs::lz4);
  }

  @Test
  void theTestWritersLiteralSnappyBlocksDecode() throws IOException {
    byte[] in = sample(new SplittableRandom(1), 200_000);
    byte[] packed = BlockCodecs.snappyLiterals(in);
    byte[] out = new byte[in.length];
    BlockCodecs.snappy(packed, 0, packed.length, out, 0, out.length);
    assertArrayEquals(in, out);
  }
}
