package dev.tapetrain.data;

/**
 * The CRC-32C ({@link java.util.zip.CRC32C}) of two byte strings one after the other, from
 * theirs (zlib's {@code crc32_combine}, for the Castagnoli polynomial): the two passes of the
 * CSV scan by ranges read the file in differently cut pieces, and compare the checksums of the
 * whole body ({@link CsvRangeScan}).
 */
final class Crc32cCombine {

  /** CRC-32C's polynomial, reflected. */
  private static final long POLY = 0x82F63B78L;

  private Crc32cCombine() {}

  /**
   * The CRC-32C of {@code A} then {@code B}, from {@code crcA} (of {@code A}), {@code crcB} (of
   * {@code B}) and {@code lenB}, the bytes of {@code B}.
   */
  static long combine(long crcA, long crcB, long lenB) {
    if (lenB <= 0) {
      return crcA;
    }
    long[] even = new long[32];
    long[] odd = new long[32];
    // The operator for one zero bit, then squared to two and four.
    odd[0] = POLY;
    long row = 1;
    for (int n = 1; n < 32; n++) {
      odd[n] = row;
      row <<= 1;
    }
    square(even, odd);
    square(odd, even);
    long crc = crcA & 0xffffffffL;
    long len = lenB;
    // Appends len zero bytes to A's CRC: the operator for 2^k bytes, for each bit k of len.
    do {
      square(even, odd);
      if ((len & 1) != 0) {
        crc = times(even, crc);
      }
      len >>= 1;
      if (len == 0) {
        break;
      }
      square(odd, even);
      if ((len & 1) != 0) {
        crc = times(odd, crc);
      }
      len >>= 1;
    } while (len != 0);
    return crc ^ (crcB & 0xffffffffL);
  }

  private static long times(long[] mat, long vec) {
    long sum = 0;
    for (int i = 0; vec != 0; i++, vec >>>= 1) {
      if ((vec & 1) != 0) {
        sum ^= mat[i];
      }
    }
    return sum;
  }

  private static void square(long[] square, long[] mat) {
    for (int n = 0; n < 32; n++) {
      square[n] = times(mat, mat[n]);
    }
  }
}
