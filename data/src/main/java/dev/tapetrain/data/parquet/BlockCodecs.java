package dev.tapetrain.data.parquet;

import java.io.IOException;

/**
 * Decoders of the two block formats Parquet pages use most after no compression at all, Snappy
 * and LZ4 (raw block), written here in plain Java: the libraries that have them either load
 * native code (snappy-java) or call {@code sun.misc.Unsafe} (aircompressor), which JDK 24 and
 * later warn about on the console without a flag. Both formats are a sequence of literals and
 * back-references; every length and offset is checked, so corrupt input is an
 * {@link IOException}, never an out-of-bounds write.
 */
final class BlockCodecs {

  private BlockCodecs() {}

  /**
   * Decodes a Snappy block (a varint of the decoded length, then literals and copies).
   *
   * @return the bytes written, which must be {@code outLen}
   */
  static int snappy(byte[] in, int off, int len, byte[] out, int outOff, int outLen)
      throws IOException {
    int ip = off;
    int end = off + len;
    long declared = 0;
    for (int shift = 0; ; shift += 7) {
      if (ip >= end || shift > 28) {
        throw new IOException("corrupt Snappy block: bad length header");
      }
      int b = in[ip++] & 0xff;
      declared |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        break;
      }
    }
    if (declared != outLen) {
      throw new IOException("corrupt Snappy block: " + declared + " bytes inside, the page "
          + "header says " + outLen);
    }
    int op = outOff;
    int outEnd = outOff + outLen;
    while (ip < end) {
      int tag = in[ip++] & 0xff;
      int kind = tag & 3;
      if (kind == 0) {
        int n = tag >>> 2;
        if (n >= 60) {
          int bytes = n - 59;
          if (ip + bytes > end) {
            throw new IOException("corrupt Snappy block: truncated literal length");
          }
          n = 0;
          for (int i = 0; i < bytes; i++) {
            n |= (in[ip++] & 0xff) << (8 * i);
          }
        }
        long length = (n & 0xffffffffL) + 1;
        if (length > end - ip || length > outEnd - op) {
          throw new IOException("corrupt Snappy block: a literal runs past the end");
        }
        System.arraycopy(in, ip, out, op, (int) length);
        ip += (int) length;
        op += (int) length;
        continue;
      }
      int length;
      long offset;
      if (kind == 1) {
        if (ip >= end) {
          throw new IOException("corrupt Snappy block: truncated copy");
        }
        length = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | (in[ip++] & 0xff);
      } else {
        int bytes = kind == 2 ? 2 : 4;
        if (ip + bytes > end) {
          throw new IOException("corrupt Snappy block: truncated copy");
        }
        length = 1 + (tag >>> 2);
        offset = 0;
        for (int i = 0; i < bytes; i++) {
          offset |= (long) (in[ip++] & 0xff) << (8 * i);
        }
      }
      op = copy(out, outOff, op, outEnd, offset, length, "Snappy");
    }
    if (op != outEnd) {
      throw new IOException("corrupt Snappy block: " + (op - outOff) + " bytes decoded, the "
          + "page header says " + outLen);
    }
    return outLen;
  }

  /**
   * Decodes an LZ4 block (sequences of a token, literals, an offset and a match; the last
   * sequence has literals only).
   *
   * @return the bytes written, which must be {@code outLen}
   */
  static int lz4(byte[] in, int off, int len, byte[] out, int outOff, int outLen)
      throws IOException {
    int ip = off;
    int end = off + len;
    int op = outOff;
    int outEnd = outOff + outLen;
    while (true) {
      if (ip >= end) {
        throw new IOException("corrupt LZ4 block: truncated sequence");
      }
      int token = in[ip++] & 0xff;
      long literals = token >>> 4;
      if (literals == 15) {
        int b;
        do {
          if (ip >= end) {
            throw new IOException("corrupt LZ4 block: truncated literal length");
          }
          b = in[ip++] & 0xff;
          literals += b;
        } while (b == 255);
      }
      if (literals > end - ip || literals > outEnd - op) {
        throw new IOException("corrupt LZ4 block: literals run past the end");
      }
      System.arraycopy(in, ip, out, op, (int) literals);
      ip += (int) literals;
      op += (int) literals;
      if (ip == end) {
        break; // the last sequence
      }
      if (ip + 2 > end) {
        throw new IOException("corrupt LZ4 block: truncated offset");
      }
      int offset = (in[ip] & 0xff) | (in[ip + 1] & 0xff) << 8;
      ip += 2;
      long match = (token & 15) + 4L;
      if ((token & 15) == 15) {
        int b;
        do {
          if (ip >= end) {
            throw new IOException("corrupt LZ4 block: truncated match length");
          }
          b = in[ip++] & 0xff;
          match += b;
        } while (b == 255);
      }
      if (match > outEnd - op) {
        throw new IOException("corrupt LZ4 block: a match runs past the end");
      }
      op = copy(out, outOff, op, outEnd, offset, (int) match, "LZ4");
    }
    if (op != outEnd) {
      throw new IOException("corrupt LZ4 block: " + (op - outOff) + " bytes decoded, the page "
          + "header says " + outLen);
    }
    return outLen;
  }

  /** Copies {@code length} bytes from {@code offset} back; they may overlap (a repeat). */
  private static int copy(byte[] out, int outOff, int op, int outEnd, long offset, int length,
      String codec) throws IOException {
    if (offset <= 0 || offset > op - outOff) {
      throw new IOException("corrupt " + codec + " block: a copy from before the start");
    }
    if (length > outEnd - op) {
      throw new IOException("corrupt " + codec + " block: a copy runs past the end");
    }
    int from = op - (int) offset;
    if (offset >= length) {
      System.arraycopy(out, from, out, op, length);
    } else {
      for (int i = 0; i < length; i++) {
        out[op + i] = out[from + i];
      }
    }
    return op + length;
  }

  /** A valid Snappy block of {@code in} made of literals only (for writing test files). */
  static byte[] snappyLiterals(byte[] in) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(in.length + 16);
    long n = in.length;
    while (n >= 0x80) {
      b.write((int) (n & 0x7f) | 0x80);
      n >>>= 7;
    }
    b.write((int) n);
    for (int at = 0; at < in.length; at += 1 << 16) {
      int len = Math.min(1 << 16, in.length - at);
      b.write(61 << 2); // literal, length-1 in the next two bytes
      b.write((len - 1) & 0xff);
      b.write((len - 1) >>> 8);
      b.write(in, at, len);
    }
    return b.toByteArray();
  }
}
