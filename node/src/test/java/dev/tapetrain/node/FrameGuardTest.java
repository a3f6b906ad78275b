package dev.tapetrain.node;

import static dev.tapetrain.node.GuardBytes.concat;
import static dev.tapetrain.node.GuardBytes.frame;
import static dev.tapetrain.node.GuardBytes.header;
import static dev.tapetrain.node.GuardBytes.le;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The frame guard on its own, in front of a stand-in for Artery (a loopback socket that records
 * what reaches it): valid streams cross unchanged however TCP splits them, nothing after a bad
 * frame crosses, and a frame that trickles in is cut off at its deadline. The end-to-end case
 * (real coordinator and worker JVMs, a catalogue of malformed streams) is local-runner's
 * {@code MalformedFramesTest}.
 */
class FrameGuardTest {

  /** Larger than the guard's 64 KiB buffer, so big frames make it grow and compact. */
  private static final int MAX_FRAME = 300_000;

  private FrameGuard guard;
  private ServerSocket artery;

  @BeforeEach
  void start() throws IOException {
    start(Duration.ofMillis(500));
  }

  /** A guard whose header and frame deadlines are {@code timeout}, and Artery behind it. */
  private void start(Duration timeout) throws IOException {
    if (guard != null) {
      stop();
    }
    guard = FrameGuard.start("127.0.0.1", 0, MAX_FRAME, timeout, timeout);
    artery = new ServerSocket(guard.internalPort(), 8, InetAddress.getLoopbackAddress());
    artery.setSoTimeout(10_000);
  }

  @AfterEach
  void stop() throws IOException {
    guard.close();
    artery.close();
  }

  @Test
  void validStreamsCrossUnchangedHoweverTheyAreSplit() throws Exception {
    Random random = new Random(42);
    byte[] stream = concat(header(2), frames(random, 300));
    // Whole, a byte at a time (the first 3000 bytes, then the rest), and in random pieces.
    assertArrayEquals(stream, send(stream, new int[] {stream.length}));
    int[] bytes = new int[3001];
    Arrays.fill(bytes, 0, 3000, 1);
    bytes[3000] = stream.length - 3000;
    assertArrayEquals(stream, send(stream, bytes));
    for (int round = 0; round < 5; round++) {
      int[] pieces = new int[stream.length];
      int n = 0;
      for (int left = stream.length; left > 0; ) {
        int piece = Math.min(left, 1 + random.nextInt(random.nextBoolean() ? 50 : 100_000));
        pieces[n++] = piece;
        left -= piece;
      }
      assertArrayEquals(stream, send(stream, Arrays.copyOf(pieces, n)), "round " + round);
    }
  }

  @Test
  void nothingAfterABadFrameCrosses() throws Exception {
    Random random = new Random(7);
    byte[] good = concat(header(1), frames(random, 3));
    byte[] badVersion = frame(random, 100);
    badVersion[4] = 9;
    byte[] tooLong = concat(le(MAX_FRAME + 1), new byte[64]);
    byte[] tooShort = frame(random, ArteryFraming.MIN_FRAME - 1);
    // Deadlines far away: the close must come from the check, not from a timeout.
    start(Duration.ofSeconds(60));
    for (byte[] bad : new byte[][] {badVersion, tooLong, tooShort, le(-5)}) {
      byte[] stream = concat(good, bad, frames(random, 2));
      // The stream is not ended: the guard must close it at the bad frame.
      assertArrayEquals(good, send(stream, new int[] {stream.length}, false));
    }
  }

  /**
   * Before the node behind has ever listened, a connection waits for it (a resumed coordinator's
   * old workers reconnect before its Artery is bound); once it has listened, a node that stops
   * listening is restarting (a worker's fresh actor system after a downing), and a connection
   * is refused at once: handed to the new incarnation, the old association's frames made the
   * fresh system give up its rejoin.
   */
  @Test
  void aConnectionWaitsForTheNodesFirstStartButNotForARestart() throws Exception {
    start(Duration.ofSeconds(5));
    int port = guard.internalPort();
    artery.close(); // not listening yet
    byte[] stream = concat(header(1), frames(new Random(5), 2));
    CompletableFuture<byte[]> received;
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), guard.publicPort())) {
      client.getOutputStream().write(stream);
      Thread.sleep(300); // the guard is waiting for the node
      artery = new ServerSocket(port, 8, InetAddress.getLoopbackAddress());
      artery.setSoTimeout(5000);
      ServerSocket listening = artery;
      received = CompletableFuture.supplyAsync(() -> {
        try (Socket node = listening.accept()) {
          node.setSoTimeout(5000);
          return node.getInputStream().readNBytes(stream.length);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertArrayEquals(stream, received.get(10, TimeUnit.SECONDS), "it waited and crossed");
    }
    artery.close(); // the node restarts: nothing listens for a while
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), guard.publicPort())) {
      long t0 = System.nanoTime();
      client.setSoTimeout(2000); // well inside the 5 s opening deadline
      int read;
      try {
        client.getOutputStream().write(stream);
        read = client.getInputStream().read();
      } catch (java.net.SocketException closedAlready) {
        read = -1; // refused so fast that the write or read met a closed connection
      }
      assertEquals(-1, read, "refused, not held for the new node");
      assertTrue(System.nanoTime() - t0 < 1_500_000_000L, "refused at once");
    }
    artery = new ServerSocket(port, 8, InetAddress.getLoopbackAddress()); // for stop()
  }

  @Test
  void aConnectionThatIsNotArteryIsRefusedBeforeArteryHearsOfIt() throws Exception {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), guard.publicPort())) {
      client.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      client.setSoTimeout(5000);
      assertEquals(-1, client.getInputStream().read(), "the guard closes the connection");
    }
    artery.setSoTimeout(300);
    assertThrows(SocketTimeoutException.class, artery::accept, "Artery was never connected");
  }

  @Test
  void aFrameThatTricklesInIsCutOffAtItsDeadline() throws Exception {
    Random random = new Random(3);
    byte[] first = concat(header(2), frame(random, 64));
    byte[] next = frame(random, 1000);
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), guard.publicPort())) {
      OutputStream out = client.getOutputStream();
      out.write(first);
      CompletableFuture<byte[]> received = receive();
      // One byte every 100 ms: each read is quick, but the frame would take 100 s in all.
      long started = System.nanoTime();
      boolean cut = false;
      for (int i = 0; i < 100 && !cut; i++) {
        try {
          out.write(next[i]);
          out.flush();
          Thread.sleep(100);
        } catch (IOException e) {
          cut = true;
        }
        client.setSoTimeout(1);
        try {
          cut |= client.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
          // not cut off yet
        } catch (IOException reset) {
          cut = true;
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      assertTrue(cut, "a trickle of 100 bytes over 10 s was never cut off");
      assertTrue(seconds < 5, "cut off after " + seconds + " s; the frame deadline is 0.5 s");
      assertArrayEquals(first, received.get(10, TimeUnit.SECONDS),
          "the complete first frame crossed, nothing of the trickle did");
    }
  }

  /**
   * Sends {@code stream} in pieces of the given sizes, ends it, and returns what reached
   * Artery once the guard has closed the connection.
   */
  private byte[] send(byte[] stream, int[] pieces) throws Exception {
    return send(stream, pieces, true);
  }

  /**
   * As {@link #send(byte[], int[])}; without {@code end} the stream stays open, so only the
   * guard can close the connection (a read that times out fails the test).
   */
  private byte[] send(byte[] stream, int[] pieces, boolean end) throws Exception {
    CompletableFuture<byte[]> received = receive();
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), guard.publicPort())) {
      client.setTcpNoDelay(true);
      OutputStream out = client.getOutputStream();
      int at = 0;
      try {
        for (int piece : pieces) {
          out.write(stream, at, piece);
          out.flush();
          at += piece;
        }
      } catch (IOException closedByGuard) {
        // A stream with a bad frame: the guard may close the connection while the rest of it
        // is still being written (broken pipe, reset). What crossed is checked below.
        if (end) {
          throw closedByGuard;
        }
        return received.get(30, TimeUnit.SECONDS);
      }
      if (end) {
        client.shutdownOutput();
      }
      client.setSoTimeout(10_000);
      try {
        while (client.getInputStream().read() >= 0) {
          // wait for the guard to close its side
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the guard did not close the connection within 10 s", e);
      } catch (IOException reset) {
        // a refused stream may end with a reset
      }
    }
    return received.get(30, TimeUnit.SECONDS);
  }

  /** Everything the next connection to the stand-in for Artery carries, until it closes. */
  private CompletableFuture<byte[]> receive() {
    return CompletableFuture.supplyAsync(() -> {
      try (Socket s = artery.accept(); InputStream in = s.getInputStream()) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static byte[] frames(Random random, int count) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      int length = switch (i % 10) {
        case 0 -> ArteryFraming.MIN_FRAME;
        case 1 -> MAX_FRAME;
        case 2 -> 100_000 + random.nextInt(100_000);
        default -> ArteryFraming.MIN_FRAME + random.nextInt(2000);
      };
      all.writeBytes(frame(random, length));
    }
    return all.toByteArray();
  }
}
