package dev.tapetrain.node;

import java.io.DataInputStream;
import java.io.EOFException;
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
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong logWindowStart = new AtomicLong();
  private final AtomicInteger loggedInWindow = new AtomicInteger();
  private final AtomicInteger suppressed = new AtomicInteger();
  private volatile boolean closed;

  private FrameGuard(ServerSocket server, int internalPort, int maxFrame) {
    this.server = server;
    this.internalPort = internalPort;
    this.maxFrame = maxFrame;
  }

  /**
   * Listens on {@code host:port} (0: any free port) and picks a free loopback port for Artery.
   *
   * @param maxFrame the largest frame Artery accepts ({@code maximum-frame-size})
   * @throws IOException if the port cannot be bound
   */
  public static FrameGuard start(String host, int port, int maxFrame) throws IOException {
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
    FrameGuard guard = new FrameGuard(server, internal, maxFrame);
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

  /** Checks one inbound stream and forwards it to Artery frame by frame. */
  private void serve(Socket client) {
    Socket artery = null;
    try {
      client.setTcpNoDelay(true);
      client.setSoTimeout((int) HEADER_TIMEOUT.toMillis());
      DataInputStream in = new DataInputStream(client.getInputStream());
      byte[] header = new byte[MAGIC.length + 1];
      in.readFully(header);
      for (int i = 0; i < MAGIC.length; i++) {
        if (header[i] != MAGIC[i]) {
          refuse(client, "not an Artery connection (no AKKA header)");
          return;
        }
      }
      int streamId = header[MAGIC.length];
      if (streamId < 1 || streamId > 3) {
        refuse(client, "unknown stream id " + streamId);
        return;
      }
      artery = new Socket();
      artery.setTcpNoDelay(true);
      artery.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), internalPort),
          (int) HEADER_TIMEOUT.toMillis());
      open.add(artery);
      OutputStream toArtery = artery.getOutputStream();
      toArtery.write(header);
      toArtery.flush();
      startPump(artery, client);
      byte[] lengthBytes = new byte[4];
      byte[] frame = new byte[0];
      boolean first = true;
      while (true) {
        if (!first) {
          client.setSoTimeout(0); // idle between frames is fine
        }
        try {
          in.readFully(lengthBytes, 0, 1);
        } catch (EOFException | java.net.SocketException end) {
          if (first) {
            refuse(client, "closed before its first frame");
          }
          return; // closed (or reset by a stopping peer) between frames: a normal end
        }
        client.setSoTimeout((int) FRAME_TIMEOUT.toMillis());
        in.readFully(lengthBytes, 1, 3);
        int length = (lengthBytes[0] & 0xff) | (lengthBytes[1] & 0xff) << 8
            | (lengthBytes[2] & 0xff) << 16 | (lengthBytes[3] & 0xff) << 24;
        if (length < MIN_FRAME || length > maxFrame) {
          refuse(client, "frame length " + length + " outside " + MIN_FRAME + ".." + maxFrame);
          return;
        }
        if (frame.length < length) {
          frame = new byte[length];
        }
        in.readFully(frame, 0, length);
        if (frame[0] != ARTERY_VERSION) {
          refuse(client, "protocol version " + frame[0] + ", expected " + ARTERY_VERSION);
          return;
        }
        toArtery.write(lengthBytes);
        toArtery.write(frame, 0, length);
        toArtery.flush();
        first = false;
      }
    } catch (SocketTimeoutException e) {
      refuse(client, "too slow (a header or frame not complete within "
          + FRAME_TIMEOUT.toSeconds() + " s)");
    } catch (EOFException e) {
      refuse(client, "closed in the middle of a header or frame");
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
