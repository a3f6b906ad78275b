package dev.tapetrain.node;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Bytes of Artery and TLS streams for the guard's tests. */
final class GuardBytes {

  private GuardBytes() {}

  /** A frame of {@code length} bytes after its length: Artery's version byte, then noise. */
  static byte[] frame(Random random, int length) {
    byte[] body = new byte[Math.max(length, 1)];
    random.nextBytes(body);
    body[0] = ArteryFraming.ARTERY_VERSION;
    return concat(le(length), body);
  }

  /** Artery's connection header for {@code streamId}. */
  static byte[] header(int streamId) {
    return concat("AKKA".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) streamId});
  }

  /** A TLS 1.2-versioned record of {@code type} with {@code length} bytes of noise. */
  static byte[] record(int type, int length) {
    byte[] body = new byte[length];
    new Random(length).nextBytes(body);
    return concat(new byte[] {(byte) type, 3, 3, (byte) (length >>> 8), (byte) length}, body);
  }

  static byte[] le(int v) {
    return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    return all.toByteArray();
  }
}
