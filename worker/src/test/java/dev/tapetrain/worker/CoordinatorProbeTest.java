package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;

/**
 * The probe a worker makes once its join failed tells nothing listening, a TLS coordinator (for
 * a plain worker: the likely cause first) and a plain listener apart. Loopback, free ports.
 */
class CoordinatorProbeTest {

  private static final Path NODE_KEYS = Path.of("..", "node", "src", "test", "resources", "tls",
      "tapetrain-node.p12");

  @Test
  void nothingListening() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertEquals(CoordinatorProbe.Finding.NOTHING_LISTENS,
        CoordinatorProbe.probe("127.0.0.1", port, true));
  }

  @Test
  void aPlainListenerIsNotTakenForTls() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      Thread t = closeEach(s);
      assertEquals(CoordinatorProbe.Finding.LISTENS,
          CoordinatorProbe.probe("127.0.0.1", s.getLocalPort(), true));
      t.interrupt();
    }
  }

  @Test
  void aTlsListenerThatWantsOurCertificateIsSeenAsTls() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(NODE_KEYS)) {
      keys.load(in, "change-me".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "change-me".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    try (SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      s.setNeedClientAuth(true); // as the coordinator: a worker without a certificate is refused
      Thread t = new Thread(() -> {
        while (!s.isClosed()) {
          try (Socket c = s.accept()) {
            ((javax.net.ssl.SSLSocket) c).startHandshake();
          } catch (Exception e) {
            // the probe has no certificate, or only connected
          }
        }
      });
      t.setDaemon(true);
      t.start();
      assertEquals(CoordinatorProbe.Finding.SPEAKS_TLS,
          CoordinatorProbe.probe("127.0.0.1", s.getLocalPort(), true));
      // a TLS worker does not ask
      assertEquals(CoordinatorProbe.Finding.LISTENS,
          CoordinatorProbe.probe("127.0.0.1", s.getLocalPort(), false));
    }
  }

  private static Thread closeEach(ServerSocket s) {
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try (Socket c = s.accept()) {
          c.getInputStream().read(); // a plain server reads the hello and hangs up
        } catch (Exception e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
