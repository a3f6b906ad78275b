package dev.tapetrain.node;

import static dev.tapetrain.node.GuardBytes.concat;
import static dev.tapetrain.node.GuardBytes.frame;
import static dev.tapetrain.node.GuardBytes.header;
import static dev.tapetrain.node.GuardBytes.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the frame guard holds beyond the framing ({@link FrameGuardTest}): its connection caps,
 * opening deadline and eviction, the buffer budget large frames share, waiting for a node that
 * does not listen yet, and TLS's record layer. Each with a stand-in for Artery that records what
 * reaches it.
 */
class GuardLimitsTest {

  private static final int MAX_FRAME = 300_000;

  private FrameGuard guard;
  private ServerSocket node;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Socket> clients = new ArrayList<>();

  /** What one connection brought the stand-in for Artery: so far, and once it closed. */
  private record Received(ByteArrayOutputStream soFar, CompletableFuture<byte[]> all) {
    int size() {
      synchronized (soFar) {
        return soFar.size();
      }
    }
  }

  private void start(Framing framing, FrameGuard.Limits limits, boolean listen)
      throws IOException {
    guard = FrameGuard.start("127.0.0.1", 0, framing, limits);
    if (listen) {
      listen();
    }
  }

  /** Binds the stand-in for Artery, which records every connection's bytes. */
  private void listen() throws IOException {
    node = new ServerSocket(guard.internalPort(), 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (true) {
        try {
          Socket s = node.accept();
          Received r = new Received(new ByteArrayOutputStream(), new CompletableFuture<>());
          received.add(r);
          CompletableFuture.runAsync(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = s.getInputStream()) {
              for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (r.soFar()) {
                  r.soFar().write(buffer, 0, n);
                }
              }
              r.all().complete(r.soFar().toByteArray());
            } catch (IOException e) {
              r.all().completeExceptionally(e);
            }
          });
        } catch (IOException closed) {
          return;
        }
      }
    }, "stand-in-artery");
    t.setDaemon(true);
    t.start();
  }

  /** Waits for a connection to the stand-in that carried exactly {@code expected}. */
  private void assertReceived(byte[] expected, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (Received r : received) {
        if (r.all().isDone() && java.util.Arrays.equals(expected, r.all().get())) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("never received: " + what);
  }

  private static FrameGuard.Limits limits(int connections, int perAddress, Duration timeout,
      int budget) {
    return new FrameGuard.Limits(connections, perAddress, timeout, timeout, budget);
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), guard.publicPort());
    clients.add(s);
    return s;
  }

  /** Whether the guard closes {@code s} within {@code millis}. */
  private static boolean closedWithin(Socket s, int millis) throws IOException {
    s.setSoTimeout(millis);
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
    guard.close();
    if (node != null) {
      node.close();
    }
  }

  @Test
  void idleConnectionsAreCutAtTheOpeningDeadlineAndTheOldestMakeRoomAtTheCap()
      throws Exception {
    start(new ArteryFraming(MAX_FRAME), limits(8, 100, Duration.ofSeconds(2), 1 << 20), true);
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      idle.add(connect());
    }
    Thread.sleep(200); // accepted, in order
    byte[] stream = concat(header(2), frame(new Random(1), 100));
    Socket good = connect();
    good.getOutputStream().write(stream);
    assertTrue(closedWithin(idle.get(0), 1000), "the oldest idle connection made room");
    assertTrue(!closedWithin(good, 300), "the new one stays");
    assertTrue(!closedWithin(idle.get(7), 1), "a newer idle one stays until its deadline");
    for (Socket s : idle.subList(1, 8)) {
      assertTrue(closedWithin(s, 3000), "an idle connection is cut at the opening deadline");
    }
    assertTrue(!closedWithin(good, 1), "an open connection may idle between frames");
    good.close();
    assertReceived(stream, "the connection that came at the cap");
  }

  @Test
  void moreConnectionsFromOneAddressThanItsShareAreRefused() throws Exception {
    start(new ArteryFraming(MAX_FRAME), limits(100, 3, Duration.ofSeconds(30), 1 << 20), true);
    List<Socket> three = List.of(connect(), connect(), connect());
    Thread.sleep(200);
    assertTrue(closedWithin(connect(), 2000), "the fourth from one address is refused");
    for (Socket s : three) {
      assertTrue(!closedWithin(s, 1), "the first three stay");
    }
  }

  @Test
  void aConnectionThatComesBeforeTheNodeListensWaitsForIt() throws Exception {
    start(new ArteryFraming(MAX_FRAME), limits(8, 8, Duration.ofSeconds(10), 1 << 20), false);
    byte[] stream = concat(header(1), frame(new Random(2), 64));
    Socket early = connect();
    early.getOutputStream().write(stream);
    Thread.sleep(500); // the node starts late, as Artery does after its port is taken
    listen();
    assertTrue(!closedWithin(early, 300), "the connection waited for the node");
    early.close();
    assertReceived(stream, "the early connection");
  }

  @Test
  void largeFramesWaitForTheBudgetTheyShare() throws Exception {
    // A budget for one large frame: a second one waits until the first has crossed.
    start(new ArteryFraming(MAX_FRAME), limits(8, 8, Duration.ofSeconds(10), MAX_FRAME), true);
    Random random = new Random(3);
    byte[] first = concat(header(2), frame(random, 64), frame(random, MAX_FRAME));
    byte[] second = concat(header(2), frame(random, 64), frame(random, MAX_FRAME));
    Socket a = connect();
    OutputStream toA = a.getOutputStream();
    int held = first.length - 1000;
    toA.write(first, 0, held); // most of A's large frame: its buffer holds the budget
    Thread.sleep(300);
    Socket b = connect();
    b.getOutputStream().write(second);
    Thread.sleep(500);
    assertEquals(2, received.size(), "both connections reached the node");
    int small = header(2).length + 4 + 64;
    assertEquals(small, received.get(0).size() + received.get(1).size() - small,
        "only the small frames crossed: A's large one is not complete, B's waits for budget");
    toA.write(first, held, first.length - held);
    a.close();
    assertReceived(first, "A's frames");
    b.close();
    assertReceived(second, "B's frames, once A's large one had crossed");
  }

  @Test
  void wellFormedJunkFramesHoldNoMoreThanTheBudgetAndGiveItAllBack() throws Exception {
    int borrowedPerFrame = 4 + MAX_FRAME - GuardedConnection.BUFFER;
    int budget = 2 * borrowedPerFrame + 1000; // room for two large frames at once, not three
    try (LogLines log = new LogLines(FrameGuard.class.getName())) {
      start(new ArteryFraming(MAX_FRAME), limits(16, 16, Duration.ofSeconds(1), budget), true);
      int permits = guard.budget().availablePermits();
      Random random = new Random(5);
      // Six connections, each a well-formed large frame of junk that stops half-way.
      byte[] stalled = concat(header(2), frame(random, 64),
          java.util.Arrays.copyOf(frame(random, MAX_FRAME), MAX_FRAME / 2));
      for (int i = 0; i < 6; i++) {
        Socket s = connect();
        CompletableFuture.runAsync(() -> {
          try {
            s.getOutputStream().write(stalled);
          } catch (IOException cutOff) {
            // the guard closed it: expected sooner or later
          }
        });
      }
      Thread.sleep(500);
      assertEquals(2 * borrowedPerFrame, permits - guard.budget().availablePermits(),
          "two connections hold a large frame's buffer, the other four their own 64 KiB only");
      for (Socket s : clients) {
        assertTrue(closedWithin(s, 3000), "cut off at the frame's deadline");
      }
      awaitBudget(permits, "every byte of budget is back");
      // Cut off waiting for the budget or holding it: one line of each kind at most.
      assertTrue(log.lines().size() <= 2, log.lines().toString());

      // Whole junk frames from four connections at once all cross, sharing the budget.
      List<byte[]> streams = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        byte[] stream = concat(header(2), frame(random, 64), frame(random, MAX_FRAME),
            frame(random, MAX_FRAME), frame(random, 100));
        streams.add(stream);
        Socket s = connect();
        CompletableFuture.runAsync(() -> {
          try (s) {
            s.getOutputStream().write(stream);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
      }
      for (byte[] stream : streams) {
        assertReceived(stream, "a connection's junk frames");
      }
      awaitBudget(permits, "the budget is back again");
    }
  }

  private void awaitBudget(int permits, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (guard.budget().availablePermits() != permits && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(permits, guard.budget().availablePermits(), what);
  }

  @Test
  void tlsConnectionsMustStartWithAHandshakeAndFinishItInTime() throws Exception {
    start(new TlsFraming(), limits(8, 8, Duration.ofSeconds(1), 1 << 20), true);
    Socket plain = connect();
    plain.getOutputStream().write(header(2));
    assertTrue(closedWithin(plain, 2000), "Artery's plain header is not TLS");
    Socket badVersion = connect();
    badVersion.getOutputStream().write(new byte[] {22, 2, 0, 0, 5, 1, 2, 3, 4, 5});
    assertTrue(closedWithin(badVersion, 2000), "a record of version 2.0 is refused");

    byte[] hello = record(TlsFraming.HANDSHAKE, 300);
    Socket stuck = connect();
    stuck.getOutputStream().write(hello);
    byte[] handshake = concat(record(TlsFraming.HANDSHAKE, 300),
        record(TlsFraming.CHANGE_CIPHER_SPEC, 1), record(TlsFraming.APPLICATION_DATA, 900));
    Socket done = connect();
    done.getOutputStream().write(handshake);
    assertTrue(closedWithin(stuck, 3000), "a handshake not finished in 1 s is cut off");
    assertTrue(!closedWithin(done, 500), "a finished handshake may idle past the deadline");
    done.close();
    assertReceived(hello, "the stuck handshake's record");
    assertReceived(handshake, "the finished handshake's records");
    assertEquals(2, received.size(), "refused streams never reached the node");
  }
}
