package dev.tapetrain.node;

import java.nio.charset.StandardCharsets;

/**
 * Artery's TCP framing (Akka 2.6): {@code AKKA} and a stream id of 1, 2 or 3, then frames of a
 * 4-byte little-endian length and an envelope that starts with the protocol version.
 *
 * <p>Why check it: Akka 2.6's {@code TcpFraming} reads a frame's length from the wire unchecked;
 * a negative length (about 5 KB of crafted bytes) sends the node's decoder into an endless loop
 * at full CPU, logging ~150 000 lines a second, and the run dies. The fix upstream is in
 * BSL-licensed Akka releases only, and no Apache Pekko release has it yet.
 */
final class ArteryFraming implements Framing {

  /** Artery's connection magic. */
  private static final byte[] MAGIC = "AKKA".getBytes(StandardCharsets.US_ASCII);
  /** The protocol version of Artery's envelopes in Akka 2.6. */
  static final int ARTERY_VERSION = 0;
  /** An Artery envelope's fixed header: anything shorter is not an envelope. */
  static final int MIN_FRAME = 32;

  private final int maxFrame;

  /** @param maxFrame the largest frame Artery accepts ({@code maximum-frame-size}) */
  ArteryFraming(int maxFrame) {
    this.maxFrame = maxFrame;
  }

  @Override
  public String name() {
    return "Artery";
  }

  @Override
  public int checkHeader(byte[] buf, int end) throws BadStream {
    if (end < MAGIC.length + 1) {
      return -1;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (buf[i] != MAGIC[i]) {
        throw new BadStream("not an Artery connection (no AKKA header)");
      }
    }
    int streamId = buf[MAGIC.length];
    if (streamId < 1 || streamId > 3) {
      throw new BadStream("unknown stream id " + streamId);
    }
    return MAGIC.length + 1;
  }

  @Override
  public int frameLength(byte[] buf, int at, int end) throws BadStream {
    if (end - at < 4) {
      return -1;
    }
    int length = (buf[at] & 0xff) | (buf[at + 1] & 0xff) << 8 | (buf[at + 2] & 0xff) << 16
        | (buf[at + 3] & 0xff) << 24;
    if (length < MIN_FRAME || length > maxFrame) {
      throw new BadStream("frame length " + length + " outside " + MIN_FRAME + ".." + maxFrame);
    }
    if (end - at > 4 && buf[at + 4] != ARTERY_VERSION) {
      throw new BadStream("protocol version " + buf[at + 4] + ", expected " + ARTERY_VERSION);
    }
    return 4 + length;
  }

  @Override
  public boolean opens(byte[] buf, int at) {
    return true;
  }

  @Override
  public int largestFrame() {
    return 4 + maxFrame;
  }
}
