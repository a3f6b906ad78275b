package dev.tapetrain.node;

/**
 * TLS's record layer (RFC 8446 §5.1), as far as it shows without keys: each record is a
 * content type (change_cipher_spec, alert, handshake or application_data), a version of
 * 3.1–3.4 and a 2-byte length of at most 2^14 + 2048; the first is a handshake record (the
 * ClientHello). In TLS 1.3 everything after the hello is encrypted and sent as application data,
 * the client's certificate and Finished included, so a connection's first application-data
 * record marks the end of its side of the handshake.
 */
final class TlsFraming implements Framing {

  static final int CHANGE_CIPHER_SPEC = 20;
  static final int HANDSHAKE = 22;
  static final int APPLICATION_DATA = 23;
  /** The largest record body TLS 1.2 allows (1.3: 2^14 + 256). */
  static final int MAX_RECORD = (1 << 14) + 2048;
  private static final int HEADER = 5;

  @Override
  public String name() {
    return "TLS";
  }

  @Override
  public int checkHeader(byte[] buf, int end) throws BadStream {
    if (end >= 1 && buf[0] != HANDSHAKE) {
      throw new BadStream("not a TLS connection (first byte 0x"
          + Integer.toHexString(buf[0] & 0xff) + ", no handshake record)");
    }
    // The hello is the first record: once its header checks out, it crosses as any other.
    return frameLength(buf, 0, end) < 0 ? -1 : 0;
  }

  @Override
  public int frameLength(byte[] buf, int at, int end) throws BadStream {
    if (end - at < HEADER) {
      return -1;
    }
    int type = buf[at] & 0xff;
    if (type < CHANGE_CIPHER_SPEC || type > APPLICATION_DATA) {
      throw new BadStream("TLS record of unknown content type " + type);
    }
    if (buf[at + 1] != 3 || buf[at + 2] < 1 || buf[at + 2] > 4) {
      throw new BadStream("TLS record of version " + (buf[at + 1] & 0xff) + "."
          + (buf[at + 2] & 0xff) + ", expected 3.1-3.4");
    }
    int length = (buf[at + 3] & 0xff) << 8 | (buf[at + 4] & 0xff);
    if (length < 1 || length > MAX_RECORD) {
      throw new BadStream("TLS record length " + length + " outside 1.." + MAX_RECORD);
    }
    return HEADER + length;
  }

  @Override
  public boolean opens(byte[] buf, int at) {
    return buf[at] == APPLICATION_DATA;
  }

  @Override
  public int largestFrame() {
    return HEADER + MAX_RECORD;
  }
}
