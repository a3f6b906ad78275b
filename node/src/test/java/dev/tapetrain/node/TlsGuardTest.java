package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard in front of a TLS port, with real TLS 1.3 and mutual authentication behind it: a
 * stand-in for Artery (an echo server with this node's certificate checks, {@link PeerTrust} and
 * {@link OwnCertificate}) on the guard's loopback port. A node with a certificate of the CA gets
 * through while idle plain-TCP connections beyond the cap are closed; a handshake left
 * unfinished is cut off at the deadline; a certificate of the CA for a name not allowed, and one
 * of another CA, are refused with a line naming the certificate and its issuer.
 */
class TlsGuardTest {

  /** Long enough for a handshake on a busy machine, short enough for the test. */
  private static final Duration OPEN = Duration.ofSeconds(2);

  private static TestKeys keys;

  private FrameGuard guard;
  private SSLServerSocket node;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    keys = TestKeys.load();
    // One handshake without the guard, so the tests' deadlines do not pay for a cold JVM's.
    SSLContext server = keys.context("tapetrain-node", List.of());
    try (SSLServerSocket warm = listen(server, 0)) {
      Thread t = echo(warm);
      assertArrayEquals(bytes("warm"), roundTrip(keys.context("tapetrain-node", List.of()),
          warm.getLocalPort(), "warm"));
      warm.close();
      t.join(5000);
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (guard != null) {
      guard.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static SSLServerSocket listen(SSLContext context, int port) throws IOException {
    SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(port, 50, InetAddress.getLoopbackAddress());
    s.setNeedClientAuth(true);
    s.setEnabledProtocols(new String[] {"TLSv1.3"});
    return s;
  }

  /** Echoes what each connection sends, one connection at a time, until {@code s} closes. */
  private static Thread echo(ServerSocket s) {
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try (Socket c = s.accept()) {
          c.setSoTimeout(10_000);
          InputStream in = c.getInputStream();
          byte[] buffer = new byte[256];
          for (int n; (n = in.read(buffer)) > 0; ) {
            c.getOutputStream().write(buffer, 0, n);
            c.getOutputStream().flush();
          }
        } catch (IOException e) {
          // A refused handshake or a closed server: the next connection, or the end.
        }
      }
    }, "stand-in-artery-tls");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Connects with {@code client}, sends {@code message} and returns what comes back. */
  private static byte[] roundTrip(SSLContext client, int port, String message)
      throws IOException {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), port)) {
      return roundTrip(s, message);
    }
  }

  private static byte[] roundTrip(SSLSocket s, String message) throws IOException {
    s.setSoTimeout(10_000);
    s.setEnabledProtocols(new String[] {"TLSv1.3"});
    s.getOutputStream().write(bytes(message));
    s.getOutputStream().flush();
    byte[] back = s.getInputStream().readNBytes(message.length());
    if (back.length < message.length()) {
      throw new java.io.EOFException("closed after " + back.length + " bytes");
    }
    return back;
  }

  /** A guard of TLS records with {@code cap} connections, and the node behind it. */
  private void start(int cap, List<String> allowed) throws Exception {
    guard = FrameGuard.start("127.0.0.1", 0, new TlsFraming(),
        new FrameGuard.Limits(cap, 100, OPEN, OPEN, 1 << 20));
    node = listen(keys.context("tapetrain-node", allowed), guard.internalPort());
    echo(node);
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), guard.publicPort());
    sockets.add(s);
    return s;
  }

  /** Whether the guard closes {@code s} within {@code millis} (what the node sent is skipped). */
  private static boolean closedWithin(Socket s, int millis) throws IOException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    byte[] skipped = new byte[4096];
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return false;
        }
        s.setSoTimeout((int) left);
        if (s.getInputStream().read(skipped) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void aNodeGetsThroughWhileIdleConnectionsBeyondTheCapAreClosed() throws Exception {
    try (LogLines log = new LogLines(FrameGuard.class.getName())) {
      start(8, List.of("tapetrain-*"));
      List<Socket> idle = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        idle.add(connect()); // plain TCP, not a byte sent
      }
      Thread.sleep(200); // accepted, in order
      SSLSocket tls = (SSLSocket) keys.context("tapetrain-node", List.of()).getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), guard.publicPort());
      sockets.add(tls);
      assertArrayEquals(bytes("step 1"), roundTrip(tls, "step 1"),
          "a node of the CA with an allowed name gets through at the cap");
      for (Socket s : idle) {
        assertTrue(closedWithin(s, 4000), "an idle connection is closed (made room, or timed "
            + "out at the handshake deadline)");
      }
      Thread.sleep(OPEN.toMillis());
      assertArrayEquals(bytes("step 2"), roundTrip(tls, "step 2"),
          "an open TLS connection may idle past the handshake deadline");
      assertTrue(log.count("the oldest of 8 open connections still opening") >= 1,
          log.lines().toString());
      assertTrue(log.count("did not open within 2 s (TLS handshake)") >= 1,
          log.lines().toString());
      assertTrue(log.lines().size() <= 2, "one line per kind, the rest summed up: "
          + log.lines());
    }
  }

  @Test
  void aHandshakeLeftUnfinishedIsCutOffAtTheDeadline() throws Exception {
    try (LogLines log = new LogLines(FrameGuard.class.getName())) {
      start(8, List.of());
      SSLEngine engine = keys.context("tapetrain-node", List.of()).createSSLEngine();
      engine.setUseClientMode(true);
      engine.beginHandshake();
      ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), hello);
      Socket stuck = connect();
      stuck.getOutputStream().write(hello.array(), 0, hello.position()); // and no more
      long start = System.nanoTime();
      assertTrue(!closedWithin(stuck, 1000), "the hello crossed; the deadline is not up yet");
      assertTrue(closedWithin(stuck, 3000), "cut off at the deadline");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= OPEN.toMillis() - 300, "closed after " + millis + " ms");
      assertEquals(1, log.count("did not open within 2 s (TLS handshake)"), log.lines()
          .toString());
    }
  }

  @Test
  void aCertificateOfTheCaForANameNotAllowedIsRefusedNamingItAndItsIssuer() throws Exception {
    try (LogLines log = new LogLines("dev.tapetrain.tls")) {
      start(8, List.of("tapetrain-*"));
      SSLContext named = keys.context("evil.example.com", List.of());
      assertThrows(IOException.class, () -> roundTrip(named, guard.publicPort(), "let me in"));
      assertEquals(1, log.count("refused a TLS connection (inbound): the peer's certificate "
          + "[CN=evil.example.com] issued by [CN=tapetrain-ca] is for [evil.example.com], none "
          + "of which --tls-allowed-names tapetrain-* allows"), log.lines().toString());
      assertArrayEquals(bytes("ok"), roundTrip(keys.context("tapetrain-node", List.of()),
          guard.publicPort(), "ok"), "the node whose name is allowed still gets through");
    }
  }

  @Test
  void aCertificateOfAnotherCaIsNamedWithItsIssuerOnBothSides() throws Exception {
    try (LogLines log = new LogLines("dev.tapetrain.tls")) {
      start(8, List.of());
      SSLContext evil = keys.context("evil-node", List.of());
      assertThrows(IOException.class, () -> roundTrip(evil, guard.publicPort(), "let me in"));
      assertEquals(1, log.count("refused a TLS connection (inbound): the peer's certificate "
          + "[CN=evil-node] issued by [CN=evil-ca] is not trusted: this node's truststore holds "
          + "[CN=tapetrain-ca]"), log.lines().toString());
      assertEquals(1, log.count("the peer will refuse this node's certificate [CN=evil-node] "
          + "issued by [CN=evil-ca]: it accepts only certificates issued by [CN=tapetrain-ca]"),
          log.lines().toString());
      assertEquals(0, log.count("Empty client certificate chain"), log.lines().toString());
    }
  }

  @Test
  void theNamesCheckRunsAfterTheTruststoreAndLooksAtEveryNameOfTheCertificate()
      throws Exception {
    try (LogLines log = new LogLines("dev.tapetrain.tls")) {
      PeerTrust allowed = new PeerTrust(keys.trustManager(), List.of("TAPETRAIN-*", "x"));
      allowed.checkClientTrusted(keys.chain("tapetrain-node"), "UNKNOWN");
      allowed.checkServerTrusted(keys.chain("tapetrain-node"), "UNKNOWN");
      assertEquals(List.of("evil.example.com"), PeerTrust.names(keys.chain("evil.example.com")[0]));
      PeerTrust strict = new PeerTrust(keys.trustManager(), List.of("tapetrain-node"));
      assertThrows(CertificateException.class,
          () -> strict.checkServerTrusted(keys.chain("evil.example.com"), "UNKNOWN"));
      assertEquals(1, log.count("refused a TLS connection (outbound): the peer's certificate "
          + "[CN=evil.example.com] issued by [CN=tapetrain-ca] is for [evil.example.com], none "
          + "of which --tls-allowed-names tapetrain-node allows"), log.lines().toString());
      assertThrows(CertificateException.class,
          () -> allowed.checkServerTrusted(keys.chain("evil-node"), "UNKNOWN"),
          "an allowed name does not make another CA's certificate trusted");
    }
  }
}
