package dev.tapetrain.node;

import java.io.IOException;

/**
 * What the byte stream into a guarded port must look like ({@link FrameGuard}): a connection
 * header, then length-prefixed frames. Implementations check only the bytes they are given and
 * keep no state, so one instance serves every connection.
 */
interface Framing {

  /** What this framing is, for log lines ("Artery", "TLS"). */
  String name();

  /**
   * Checks the start of a connection in {@code buf[0, end)}.
   *
   * @return how many bytes of connection header to forward at once (0: none, the first frame
   *     follows), or -1 while more bytes are needed to decide
   * @throws BadStream if the connection does not speak this framing
   */
  int checkHeader(byte[] buf, int end) throws BadStream;

  /**
   * The length of the frame at {@code buf[at]} including its prefix, once enough of it is in
   * {@code buf[at, end)} to check its prefix; -1 while more bytes are needed.
   *
   * @throws BadStream if the frame breaks the framing
   */
  int frameLength(byte[] buf, int at, int end) throws BadStream;

  /**
   * Whether the complete frame at {@code buf[at]} shows that its connection got through its
   * opening (Artery: any frame; TLS: the first encrypted record, sent once the peer's handshake
   * is done). A connection must do so within the guard's opening deadline.
   */
  boolean opens(byte[] buf, int at);

  /** The largest frame, with its prefix. */
  int largestFrame();

  /** A stream that breaks its framing; the message says how. */
  final class BadStream extends IOException {
    private static final long serialVersionUID = 1L;

    BadStream(String why) {
      super(why);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // a refusal, not a bug: no stack trace to fill
    }
  }
}
