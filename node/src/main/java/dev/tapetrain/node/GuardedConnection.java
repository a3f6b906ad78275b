package dev.tapetrain.node;

import dev.tapetrain.node.Framing.BadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One inbound connection through a {@link FrameGuard}: reads the peer's bytes, checks them
 * against the guard's {@link Framing}, and forwards every complete, well-formed frame to the
 * node's loopback port; what the node answers is copied back unchanged. Ends the connection,
 * through {@link FrameGuard#refuse}, at the first broken rule.
 *
 * <p>Memory: a connection reads into {@value #BUFFER} bytes; a frame larger than that gets a
 * buffer of its size, with bytes borrowed from the guard's budget for all connections (waiting
 * for them at most until the frame's deadline), and the buffer shrinks back once the frame has
 * crossed. So the guard holds at most {@value #BUFFER} bytes per connection plus its
 * budget, however many large frames arrive at once.
 */
final class GuardedConnection implements Runnable {

  /** Bytes read at once; a larger frame grows the buffer as its bytes arrive. */
  static final int BUFFER = 64 * 1024;
  /** How often to try the node's port again while it is not listening yet (start-up). */
  private static final long RETRY_NANOS = 100_000_000L;

  private final FrameGuard guard;
  private final Framing framing;
  final Socket client;
  /** When the connection was accepted ({@link System#nanoTime()}). */
  final long acceptedAt = System.nanoTime();
  private static final int OPENING = 0;
  private static final int OPEN = 1;
  private static final int EVICTED = 2;
  /**
   * OPENING, then OPEN or EVICTED, each at most once: a connection that has opened is never
   * evicted, even when the guard picks it in the moment its opening frame arrives.
   */
  private final AtomicInteger state = new AtomicInteger(OPENING);
  private volatile Socket node;
  private int borrowed;

  GuardedConnection(FrameGuard guard, Socket client) {
    this.guard = guard;
    this.framing = guard.framing();
    this.client = client;
  }

  /** Whether the connection got through its opening (see {@link Framing#opens}). */
  boolean opened() {
    return state.get() == OPEN;
  }

  private boolean evicted() {
    return state.get() == EVICTED;
  }

  /**
   * Closes this connection to make room for a newer one, if it has not opened yet.
   *
   * @return false if it had opened (it stays)
   */
  boolean evict() {
    if (!state.compareAndSet(OPENING, EVICTED)) {
      return false;
    }
    close();
    return true;
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (BadStream e) {
      guard.refuse(client, "not " + framing.name() + " framing", e.getMessage());
    } catch (SocketTimeoutException e) {
      if (opened()) {
        guard.refuse(client, "too slow within a frame", "a frame not complete within "
            + seconds(guard.limits().frameTimeout().toMillis()) + " s");
      } else {
        guard.refuse(client, "too slow to open", "did not open within "
            + seconds(guard.limits().openTimeout().toMillis()) + " s (" + framing.name()
            + (framing instanceof TlsFraming ? " handshake" : " header and first frame") + ")");
      }
    } catch (Refused e) {
      guard.refuse(client, e.kind, e.getMessage());
    } catch (IOException e) {
      if (evicted()) {
        guard.refuse(client, "evicted while opening", "the oldest of "
            + guard.connectionCap() + " open connections still opening when another came");
      } else if (!guard.closed() && !client.isClosed()) {
        guard.refuse(client, "connection error", e.getMessage() != null ? e.getMessage()
            : e.toString());
      }
    } finally {
      close();
      guard.budget().release(borrowed);
      borrowed = 0;
      guard.ended(this);
    }
  }

  /**
   * Checks the stream and forwards it. Whatever one read brings is checked and every complete
   * frame in it forwarded with one write: a frame usually arrives whole, so a step's message
   * costs the guard one read and one write, and the node one wake-up.
   */
  private void serve() throws IOException {
    client.setTcpNoDelay(true);
    InputStream in = client.getInputStream();
    OutputStream toNode = null;
    byte[] buf = new byte[BUFFER];
    int start = 0;
    int end = 0;
    // Opening (the header and first frame; TLS: the handshake) within the opening deadline;
    // then a frame, once begun, within the frame deadline; between frames there is no limit.
    long deadline = acceptedAt + guard.limits().openTimeout().toNanos();
    int timeout = -1;
    while (true) {
      if (toNode == null) {
        int header = framing.checkHeader(buf, end);
        if (header >= 0) {
          toNode = connectNode(deadline).getOutputStream();
          toNode.write(buf, 0, header);
          start = header;
        }
      }
      if (toNode != null) {
        // Good frames before a bad one cross; the next call starts at the bad one and throws.
        int complete;
        while ((complete = completeFrames(buf, start, end)) > start) {
          toNode.write(buf, start, complete - start);
          start = complete;
          if (opened()) {
            deadline = 0;
          }
        }
        if (opened() && start != end && deadline == 0) {
          deadline = System.nanoTime() + guard.limits().frameTimeout().toNanos(); // begun
        }
        if (buf.length > BUFFER && end - start <= BUFFER / 2) {
          buf = moveTo(new byte[BUFFER], buf, start, end); // a large frame has crossed
          guard.budget().release(borrowed);
          borrowed = 0;
          end -= start;
          start = 0;
        } else if (start == end) {
          start = 0;
          end = 0;
        } else if (end == buf.length) {
          // Full with the start of one frame (its prefix already checked): move it to the
          // front, or make room for the whole frame.
          buf = moveTo(start > 0 ? buf : grow(framing.frameLength(buf, 0, end), deadline), buf,
              start, end);
          end -= start;
          start = 0;
        }
      }
      int wanted = deadline == 0 ? 0 : millisLeft(deadline);
      if (wanted != timeout) {
        client.setSoTimeout(wanted);
        timeout = wanted;
      }
      int n;
      try {
        n = in.read(buf, end, buf.length - end);
      } catch (SocketException reset) {
        if (evicted()) {
          throw reset;
        }
        n = -1; // reset by a stopping peer: an end like any other
      }
      if (n < 0) {
        if (!guard.closed() && !opened()) {
          guard.refuse(client, "closed before opening", "closed before its first frame");
        } else if (!guard.closed() && start != end) {
          guard.refuse(client, "closed within a frame", "closed in the middle of a frame");
        }
        return; // closed between frames: a normal end
      }
      end += n;
    }
  }

  /**
   * Where the run of complete, well-formed frames at the start of {@code buf[from, to)} ends.
   * The run stops before an incomplete frame or a bad one; marks the connection opened when a
   * frame in the run opens it.
   *
   * @throws BadStream if the frame at {@code from} breaks the framing (as soon as its prefix is
   *     in, complete or not), so nothing from a bad frame on crosses
   */
  private int completeFrames(byte[] buf, int from, int to) throws IOException {
    int p = from;
    while (p < to) {
      int length;
      try {
        length = framing.frameLength(buf, p, to);
      } catch (BadStream e) {
        if (p == from) {
          throw e;
        }
        break;
      }
      if (length < 0 || to - p < length) {
        break;
      }
      if (framing.opens(buf, p) && !opened() && !state.compareAndSet(OPENING, OPEN)) {
        throw new SocketException("evicted"); // the guard closed it a moment ago
      }
      p += length;
    }
    return p;
  }

  /**
   * A buffer for a frame of {@code size} bytes that does not fit, paid for from the guard's
   * budget (so a length that only claims much can hold no more than the budget allows).
   */
  private byte[] grow(int size, long deadline) throws IOException {
    int more = size - BUFFER - borrowed;
    try {
      if (!guard.budget().tryAcquire(more, millisLeft(deadline), TimeUnit.MILLISECONDS)) {
        throw new Refused("buffer budget used up", "the guard's buffers for large frames ("
            + String.format(java.util.Locale.ROOT, "%.1f", guard.budgetBytes() / 1048576.0)
            + " MiB in all) stayed full until the frame's deadline");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refused("connection error", "interrupted");
    }
    borrowed += more;
    return new byte[size];
  }

  private static byte[] moveTo(byte[] to, byte[] from, int start, int end) {
    System.arraycopy(from, start, to, 0, end - start);
    return to;
  }

  /**
   * Connects to the node's loopback port, waiting (until {@code deadline}) while it first
   * starts, never while it restarts ({@link FrameGuard#nodeListened}).
   */
  private Socket connectNode(long deadline) throws IOException {
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), guard.internalPort());
    while (true) {
      Socket s = new Socket();
      node = s;
      try {
        s.setTcpNoDelay(true);
        s.connect(address, millisLeft(deadline));
        guard.nodeListening();
        startPump(s, client);
        return s;
      } catch (ConnectException refused) {
        s.close();
        if (guard.closed() || guard.nodeListened()
            || System.nanoTime() + RETRY_NANOS > deadline) {
          throw guard.nodeListened() && !guard.closed()
              ? new Refused("node restarting", "this node's " + framing.name()
                  + " port is not listening (its actor system is restarting)")
              : new Refused("node not listening yet", "this node's " + framing.name()
                  + " port did not listen within the opening deadline");
        }
        try {
          Thread.sleep(RETRY_NANOS / 1_000_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Refused("connection error", "interrupted");
        }
      }
    }
  }

  /** A refusal of {@code kind} for a reason other than the framing; the message says why. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    final String kind;

    Refused(String kind, String why) {
      super(why);
      this.kind = kind;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** Milliseconds to {@code deadline}, at least 1; a deadline already past is a timeout. */
  private static int millisLeft(long deadline) throws SocketTimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException();
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
  }

  private static String seconds(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
  }

  /** Copies what the node sends back on a connection to the client. */
  private static void startPump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) > 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // The other direction ends the connection and says why, if anything is worth saying.
      } finally {
        FrameGuard.closeQuietly(to);
      }
    }, "tapetrain-frame-guard-out");
    t.setDaemon(true);
    t.start();
  }

  /** Closes both sides. */
  void close() {
    FrameGuard.closeQuietly(client);
    FrameGuard.closeQuietly(node);
  }
}
