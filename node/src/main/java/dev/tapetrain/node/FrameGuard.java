package dev.tapetrain.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guard in front of a node's plain-TCP Artery port: it owns the public port, checks every
 * inbound byte stream against Artery's framing before Artery sees it, and forwards only
 * well-formed streams to Artery, which listens on loopback only.
 *
 * <p>Why: Akka 2.6's {@code TcpFraming} reads a frame's 4-byte length from the wire unchecked;
 * a negative length (about 5 KB of crafted bytes) sends the node's decoder into an endless loop
 * at full CPU, logging ~150 000 lines a second, and the run dies. The fix upstream is in
 * BSL-licensed Akka releases only, and no Apache Pekko release has it yet. With TLS (mutual
 * authentication) an unauthenticated peer never reaches the framing, so the guard is for plain
 * TCP, the default.
 *
 * <p>What a connection must do, or it is closed with one log line (at most
 * {@value #LOG_LINES_PER_MINUTE} such lines a minute in all, then a count):
 * <ul>
 *   <li>send Artery's connection header ({@code AKKA} and a stream id of 1, 2 or 3) within
 *       {@link #HEADER_TIMEOUT};
 *   <li>send frames whose length is between an envelope header ({@value #MIN_FRAME} bytes) and
 *       the node's {@code maximum-frame-size}, each starting with Artery's protocol version
 *       ({@value #ARTERY_VERSION}), the first within {@link #HEADER_TIMEOUT} and each one, once
 *       begun, completely within {@link #FRAME_TIMEOUT} (a trickle is cut off);
 *   <li>be one of at most {@value #MAX_CONNECTIONS} open connections (idle ones cost a blocked
 *       thread each and no CPU).
 * </ul>
 * Between frames a connection may stay idle for as long as it likes (Artery keeps its
 * connections open). What crosses the guard is forwarded unchanged, so the numbers of a run
 * never depend on it.
 *
 * <p>Use: {@link #start} before the actor system (Artery then binds {@link #internalPort()} on
 * loopback and advertises {@link #publicPort()}), {@link #close} after it has terminated.
 */
public final class FrameGuard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FrameGuard.class);

  /** Artery's connection magic. */
  private static final byte[] MAGIC = "AKKA".getBytes(StandardCharsets.US_ASCII);
  /** The protocol version of Artery's envelopes in Akka 2.6. */
  static final int ARTERY_VERSION = 0;
  /** An Artery envelope's fixed header: anything shorter is not an envelope. */
  static final int MIN_FRAME = 32;
  /** Open connections at most; more are refused at once. */
  static final int MAX_CONNECTIONS = 256;
  /** Log lines about refused connections per minute, in all. */
  static final int LOG_LINES_PER_MINUTE = 10;
  /** Time to send the connection header and the first frame. */
  static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
  /** Time to send the rest of a frame once its length has arrived. */
  static final Duration FRAME_TIMEOUT = Duration.ofSeconds(10);

  private final ServerSocket server;
  private final int internalPort;
  private final int maxFrame;
  private final Duration headerTimeout;
  private final Duration frameTimeout;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong logWindowStart = new AtomicLong();
  private final AtomicInteger loggedInWindow = new AtomicInteger();
  private final AtomicInteger suppressed = new AtomicInteger();
  private volatile boolean closed;

  private FrameGuard(ServerSocket server, int internalPort, int maxFrame, Duration headerTimeout,
      Duration frameTimeout) {
    this.server = server;
    this.internalPort = internalPort;
    this.maxFrame = maxFrame;
    this.headerTimeout = headerTimeout;
    this.frameTimeout = frameTimeout;
  }

  /**
   * Listens on {@code host:port} (0: any free port) and picks a free loopback port for Artery.
   *
   * @param maxFrame the largest frame Artery accepts ({@code maximum-frame-size})
   * @throws IOException if the port cannot be bound
   */
  public static FrameGuard start(String host, int port, int maxFrame) throws IOException {
    return start(host, port, maxFrame, HEADER_TIMEOUT, FRAME_TIMEOUT);
  }

  /** As {@link #start(String, int, int)} with other time limits (for tests). */
  static FrameGuard start(String host, int port, int maxFrame, Duration headerTimeout,
      Duration frameTimeout) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    try {
      server.bind(new InetSocketAddress(host, port), 128);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    int internal;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      internal = probe.getLocalPort();
    }
    FrameGuard guard = new FrameGuard(server, internal, maxFrame, headerTimeout, frameTimeout);
    Thread acceptor = new Thread(guard::acceptLoop, "tapetrain-frame-guard");
    acceptor.setDaemon(true);
    acceptor.start();
    return guard;
  }

  /** The port peers connect to (Artery's canonical port). */
  public int publicPort() {
    return server.getLocalPort();
  }

  /** The loopback port Artery binds. */
  public int internalPort() {
    return internalPort;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("frame guard stopped accepting: {}", e.toString());
        }
        return;
      }
      if (connections.incrementAndGet() > MAX_CONNECTIONS) {
        connections.decrementAndGet();
        refuse(client, "more than " + MAX_CONNECTIONS + " open connections");
        continue;
      }
      open.add(client);
      Thread t = new Thread(() -> serve(client), "tapetrain-frame-guard-in");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Bytes the guard reads at once; a larger frame grows the buffer as its bytes arrive. */
  private static final int BUFFER = 64 * 1024;

  /**
   * Checks one inbound stream and forwards it to Artery. Whatever one read brings is checked
   * and every complete frame in it forwarded with one write: a frame usually arrives whole,
   * so a step's message costs the guard one read and one write, and Artery one wake-up.
   */
  private void serve(Socket client) {
    Socket artery = null;
    try {
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      OutputStream toArtery = null;
      byte[] buf = new byte[BUFFER];
      int start = 0;
      int end = 0;
      boolean first = true;
      // The header and the first frame must arrive within HEADER_TIMEOUT of the connection;
      // then a frame, once begun, within FRAME_TIMEOUT; between frames there is no limit.
      long deadline = System.nanoTime() + headerTimeout.toNanos();
      int timeout = -1;
      while (true) {
        if (toArtery == null && end >= MAGIC.length + 1) {
          checkHeader(buf);
          artery = new Socket();
          artery.setTcpNoDelay(true);
          artery.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), internalPort),
              (int) headerTimeout.toMillis());
          open.add(artery);
          toArtery = artery.getOutputStream();
          toArtery.write(buf, 0, MAGIC.length + 1);
          startPump(artery, client);
          start = MAGIC.length + 1;
        }
        if (toArtery != null) {
          // Good frames before a bad one cross; the next call starts at the bad one and throws.
          int complete;
          while ((complete = completeFrames(buf, start, end, maxFrame)) > start) {
            toArtery.write(buf, start, complete - start);
            start = complete;
            first = false;
            deadline = 0;
          }
          if (start == end) {
            start = 0;
            end = 0;
          } else if (end == buf.length) {
            // Full with the start of one frame (its length already checked): move it to the
            // front, or double the buffer, as far as the bytes that arrived need.
            byte[] next = start > 0 ? buf : new byte[Math.min(2 * buf.length, maxFrame + 4)];
            System.arraycopy(buf, start, next, 0, end - start);
            buf = next;
            end -= start;
            start = 0;
          }
          if (!first && start != end && deadline == 0) {
            deadline = System.nanoTime() + frameTimeout.toNanos(); // a frame has begun
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
        } catch (java.net.SocketException reset) {
          n = -1; // reset by a stopping peer: an end like any other
        }
        if (n < 0) {
          if (closed) {
            return;
          } else if (first) {
            refuse(client, "closed before its first frame");
          } else if (start != end) {
            refuse(client, "closed in the middle of a frame");
          }
          return; // closed between frames: a normal end
        }
        end += n;
      }
    } catch (BadStream e) {
      refuse(client, e.getMessage());
    } catch (SocketTimeoutException e) {
      refuse(client, "too slow (a header or frame not complete within "
          + frameTimeout.toMillis() / 1000.0 + " s)");
    } catch (IOException e) {
      if (!closed && !client.isClosed()) {
        refuse(client, e.getMessage() != null ? e.getMessage() : e.toString());
      }
    } finally {
      closeQuietly(client);
      closeQuietly(artery);
      open.remove(client);
      if (artery != null) {
        open.remove(artery);
      }
      connections.decrementAndGet();
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

  /** A stream that breaks Artery's framing; the message says how. */
  static final class BadStream extends IOException {
    private static final long serialVersionUID = 1L;

    BadStream(String why) {
      super(why);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // a refusal, not a bug: no stack trace to fill
    }
  }

  /** Checks Artery's connection header ({@code AKKA} and a stream id) at the buffer's start. */
  static void checkHeader(byte[] buf) throws BadStream {
    for (int i = 0; i < MAGIC.length; i++) {
      if (buf[i] != MAGIC[i]) {
        throw new BadStream("not an Artery connection (no AKKA header)");
      }
    }
    int streamId = buf[MAGIC.length];
    if (streamId < 1 || streamId > 3) {
      throw new BadStream("unknown stream id " + streamId);
    }
  }

  /**
   * Where the run of complete, well-formed frames at the start of {@code buf[from, to)} ends:
   * each has a length within {@code MIN_FRAME..maxFrame} and Artery's version byte. The run
   * stops before an incomplete frame or a bad one.
   *
   * @throws BadStream if the frame at {@code from} breaks the framing (as soon as its length
   *     or version byte is in, complete or not), so nothing from a bad frame on crosses
   */
  static int completeFrames(byte[] buf, int from, int to, int maxFrame) throws BadStream {
    int p = from;
    while (to - p >= 4) {
      int length = (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8 | (buf[p + 2] & 0xff) << 16
          | (buf[p + 3] & 0xff) << 24;
      String bad = length < MIN_FRAME || length > maxFrame
          ? "frame length " + length + " outside " + MIN_FRAME + ".." + maxFrame
          : to - p > 4 && buf[p + 4] != ARTERY_VERSION
              ? "protocol version " + buf[p + 4] + ", expected " + ARTERY_VERSION : null;
      if (bad != null && p == from) {
        throw new BadStream(bad);
      }
      if (bad != null || to - p - 4 < length) {
        break;
      }
      p += 4 + length;
    }
    return p;
  }

  /** Copies what Artery sends back on a connection (nothing, in practice) to the client. */
  private void startPump(Socket from, Socket to) {
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
        closeQuietly(to);
      }
    }, "tapetrain-frame-guard-out");
    t.setDaemon(true);
    t.start();
  }

  /** Closes a bad connection with one (rate-limited) log line. */
  private void refuse(Socket client, String why) {
    long now = System.nanoTime();
    long start = logWindowStart.get();
    if (now - start > 60_000_000_000L && logWindowStart.compareAndSet(start, now)) {
      int dropped = suppressed.getAndSet(0);
      loggedInWindow.set(0);
      if (dropped > 0) {
        LOG.warn("refused {} more connection(s) in the last minute without logging each",
            dropped);
      }
    }
    if (loggedInWindow.incrementAndGet() <= LOG_LINES_PER_MINUTE) {
      LOG.warn("refused a connection from {}: {}", client.getRemoteSocketAddress(), why);
    } else {
      suppressed.incrementAndGet();
    }
    closeQuietly(client);
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Closing is all that is left to do.
      }
    }
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // Nothing more to release.
    }
    open.forEach(FrameGuard::closeQuietly);
  }
}
