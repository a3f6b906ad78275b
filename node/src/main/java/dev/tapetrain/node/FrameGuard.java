package dev.tapetrain.node;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guard in front of a node's Artery port, plain TCP or TLS: it owns the public port, checks
 * every inbound byte stream against its {@link Framing} before Artery sees it, and forwards only
 * well-formed streams to Artery, which listens on loopback only.
 *
 * <p>Why: on plain TCP, Akka 2.6 reads a frame's length from the wire unchecked and a negative
 * one sends its decoder into an endless loop ({@link ArteryFraming}); with TLS, Artery itself
 * neither caps connections nor times out a handshake, so idle connections that send nothing
 * exhausted the process's files (and with them the run's checkpoint) or its memory.
 *
 * <p>What a connection must do, or it is closed ({@link Limits} holds the numbers):
 * <ul>
 *   <li>open within {@link Limits#openTimeout}: Artery's header and first frame; with TLS, a
 *       handshake record first and the peer's side of the handshake done (its first encrypted
 *       record, {@link TlsFraming});
 *   <li>send only well-formed frames (TLS: records), each one, once begun, complete within
 *       {@link Limits#frameTimeout} (a trickle is cut off);
 *   <li>be one of at most {@link #connectionCap()} open connections (fewer when the process may
 *       open few files) and {@link Limits#perAddress} from one address. At the cap, the oldest
 *       connection still opening makes room for a new one; with none, the new one is refused.
 * </ul>
 * Between frames an open connection may stay idle as long as it likes (Artery keeps its
 * connections open). What crosses the guard is forwarded unchanged, so the numbers of a run
 * never depend on it. Each kind of refusal is logged once a minute, the rest summed up in one
 * line ({@link LogSummary}).
 *
 * <p>Use: {@link #start} (plain TCP) or {@link #startTls} before the actor system (Artery then
 * binds {@link #internalPort()} on loopback and advertises {@link #publicPort()}), {@link #close}
 * after it has terminated. A connection that arrives before Artery listens waits for it.
 */
public final class FrameGuard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FrameGuard.class);

  /** Files a process keeps for itself beyond what the guard's connections may take. */
  static final int FILE_RESERVE = 64;

  /**
   * The guard's numbers; a node takes them from {@code tapetrain.guard} in its configuration
   * ({@link NodeConfig#guardLimits}), so {@code -Dtapetrain.guard.…} changes them.
   *
   * @param connections open connections at most (see {@link FrameGuard#connectionCap()})
   * @param perAddress open connections from one remote address at most
   * @param openTimeout time from accepting a connection to its opening
   * @param frameTimeout time to complete a frame once begun
   * @param bufferBudget bytes all connections together may hold beyond their own buffer, for
   *     frames larger than it
   */
  public record Limits(int connections, int perAddress, Duration openTimeout,
      Duration frameTimeout, int bufferBudget) {
    /** 256 connections, 64 per address, 10 s to open, 10 s per frame, 32 MiB of buffers. */
    public static final Limits DEFAULT =
        new Limits(256, 64, Duration.ofSeconds(10), Duration.ofSeconds(10), 32 << 20);

    /** @throws IllegalArgumentException naming the number that is out of range */
    public Limits {
      if (connections < 1 || perAddress < 1) {
        throw new IllegalArgumentException("connections and per-address connections must be at "
            + "least 1, got " + connections + " and " + perAddress);
      }
      if (openTimeout.toMillis() < 1 || frameTimeout.toMillis() < 1
          || openTimeout.toMillis() > Integer.MAX_VALUE
          || frameTimeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("timeouts must be between 1 ms and 24 days, got "
            + openTimeout + " and " + frameTimeout);
      }
      if (bufferBudget < 0) {
        throw new IllegalArgumentException("the buffer budget must not be negative, got "
            + bufferBudget);
      }
    }
  }

  private final ServerSocket server;
  private final int internalPort;
  private final Framing framing;
  private final Limits limits;
  private final int cap;
  private final int budgetBytes;
  private final Semaphore budget;
  private final Set<GuardedConnection> connections = ConcurrentHashMap.newKeySet();
  private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final LogSummary refusals;
  private volatile boolean closed;
  // Whether the node behind has ever taken a connection (see nodeListened).
  private volatile boolean nodeListened;

  private FrameGuard(ServerSocket server, int internalPort, Framing framing, Limits limits) {
    this.server = server;
    this.internalPort = internalPort;
    this.framing = framing;
    this.limits = limits;
    this.cap = capForFileLimit(limits.connections());
    // At least one largest frame, or a legitimate one could never cross.
    this.budgetBytes = Math.max(limits.bufferBudget(), framing.largestFrame());
    this.budget = new Semaphore(budgetBytes);
    this.refusals = new LogSummary("refused connection(s)", LogSummary.INTERVAL, LOG::warn);
  }

  /**
   * Guards a plain-TCP Artery port: listens on {@code host:port} (0: any free port) and picks a
   * free loopback port for Artery.
   *
   * @param maxFrame the largest frame Artery accepts ({@code maximum-frame-size})
   * @throws IOException if the port cannot be bound
   */
  public static FrameGuard start(String host, int port, int maxFrame) throws IOException {
    return start(host, port, maxFrame, Limits.DEFAULT);
  }

  /** As {@link #start(String, int, int)} with {@code limits}. */
  public static FrameGuard start(String host, int port, int maxFrame, Limits limits)
      throws IOException {
    return start(host, port, new ArteryFraming(maxFrame), limits);
  }

  /** As {@link #start(String, int, int)} for Artery over TLS: checks TLS records. */
  public static FrameGuard startTls(String host, int port) throws IOException {
    return startTls(host, port, Limits.DEFAULT);
  }

  /** As {@link #startTls(String, int)} with {@code limits}. */
  public static FrameGuard startTls(String host, int port, Limits limits) throws IOException {
    return start(host, port, new TlsFraming(), limits);
  }

  /** As {@link #start(String, int, int)} with other deadlines (for tests). */
  static FrameGuard start(String host, int port, int maxFrame, Duration openTimeout,
      Duration frameTimeout) throws IOException {
    Limits d = Limits.DEFAULT;
    return start(host, port, new ArteryFraming(maxFrame), new Limits(d.connections(),
        d.perAddress(), openTimeout, frameTimeout, d.bufferBudget()));
  }

  /** A guard of {@code framing} with {@code limits}. */
  static FrameGuard start(String host, int port, Framing framing, Limits limits)
      throws IOException {
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
    FrameGuard guard = new FrameGuard(server, internal, framing, limits);
    Thread acceptor = new Thread(guard::acceptLoop, "tapetrain-frame-guard");
    acceptor.setDaemon(true);
    acceptor.start();
    return guard;
  }

  /**
   * {@code wanted}, or fewer if the process could not hold that many: a forwarded connection
   * takes three files (the peer's socket, the guard's to Artery, Artery's), and
   * {@value #FILE_RESERVE} stay for the run (checkpoints, logs).
   */
  static int capForFileLimit(int wanted) {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - FILE_RESERVE;
      int cap = (int) Math.max(8, Math.min(wanted, free / 3));
      if (cap < wanted) {
        LOG.info("at most {} open connections: the process may open {} files", cap,
            os.getMaxFileDescriptorCount());
      }
      return cap;
    }
    return wanted;
  }

  /** The port peers connect to (Artery's canonical port). */
  public int publicPort() {
    return server.getLocalPort();
  }

  /** The loopback port Artery binds. */
  public int internalPort() {
    return internalPort;
  }

  /** Open connections at most. */
  int connectionCap() {
    return cap;
  }

  Framing framing() {
    return framing;
  }

  Limits limits() {
    return limits;
  }

  /** Bytes borrowed by connections for frames larger than their own buffer, and left. */
  Semaphore budget() {
    return budget;
  }

  /** The budget's size: the bytes {@link #budget()} starts with. */
  int budgetBytes() {
    return budgetBytes;
  }

  boolean closed() {
    return closed;
  }

  /**
   * Whether the node behind this guard has taken a connection before. Until then a connection
   * may wait for it to listen (a resumed coordinator's old workers reconnect before its Artery
   * is bound); after that, a node that does not listen is restarting (a worker's fresh actor
   * system after a downing), and a peer's connection belongs to the incarnation that is gone:
   * handed to the new one it delivered the old association's frames to a fresh system, which
   * then took the coordinator for leaving and gave up its rejoin. It is refused at once instead,
   * and the peer reconnects to the new incarnation.
   */
  boolean nodeListened() {
    return nodeListened;
  }

  void nodeListening() {
    nodeListened = true;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        // Out of files, most likely: wait for connections to end instead of spinning.
        if (refusals.first("accept failed")) {
          LOG.warn("cannot accept a connection: {}", e.getMessage());
        }
        sleepQuietly(100);
        continue;
      }
      admit(client);
    }
  }

  private void admit(Socket client) {
    InetAddress from = client.getInetAddress();
    if (perAddress.getOrDefault(from, 0) >= limits.perAddress()) {
      refuse(client, "over the per-address cap", "more than " + limits.perAddress()
          + " open connections from " + from.getHostAddress());
      return;
    }
    if (connections.size() >= cap && !evictOldestOpening()) {
      refuse(client, "over the connection cap", "more than " + cap + " open connections");
      return;
    }
    GuardedConnection c = new GuardedConnection(this, client);
    connections.add(c);
    perAddress.merge(from, 1, Integer::sum);
    if (closed) {
      c.close(); // close() ran while this one was admitted: it must not outlive the guard
    }
    Thread t = new Thread(c, "tapetrain-frame-guard-in");
    t.setDaemon(true);
    t.start();
  }

  /** Closes the oldest connection that has not opened yet; false if every one has opened. */
  private boolean evictOldestOpening() {
    List<GuardedConnection> opening = connections.stream().filter(c -> !c.opened())
        .sorted(Comparator.comparingLong(c -> c.acceptedAt)).toList();
    for (GuardedConnection oldest : opening) {
      // One that opens in this moment is not evicted: the next oldest makes room instead.
      if (oldest.evict()) {
        connections.remove(oldest);
        return true;
      }
    }
    return false;
  }

  /** A connection's thread has ended. */
  void ended(GuardedConnection c) {
    connections.remove(c);
    perAddress.computeIfPresent(c.client.getInetAddress(), (k, n) -> n > 1 ? n - 1 : null);
  }

  /** Closes a bad connection; the first of each {@code kind} a minute is logged. */
  void refuse(Socket client, String kind, String why) {
    if (refusals.first(kind)) {
      LOG.warn("refused a connection from {}: {}", client.getRemoteSocketAddress(), why);
    }
    closeQuietly(client);
  }

  static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // Closing is all that is left to do.
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops listening, closes every connection and logs the refusals not yet summed up. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // Nothing more to release.
    }
    connections.forEach(GuardedConnection::close);
    refusals.close();
  }
}
