package dev.tapetrain.worker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What the coordinator's port says to a plain connection, once a join has failed: Akka only
 * reports that nothing answered, whether nothing listens there, a TLS coordinator ignores a
 * plain worker, or a coordinator drops handshakes addressed to another name of itself
 * ({@code localhost} for {@code 127.0.0.1}). One TCP connection, and one TLS handshake for a
 * plain worker, each within {@link #TIMEOUT_MS}; nothing is sent to Akka itself.
 */
final class CoordinatorProbe {

  static final int TIMEOUT_MS = 3000;

  /** What the probe found at the coordinator's address. */
  enum Finding {
    /** No connection: nothing listens, or a firewall. */
    NOTHING_LISTENS,
    /** Something listens and speaks TLS (it sent a certificate). */
    SPEAKS_TLS,
    /** Something listens (and, when asked, does not speak TLS). */
    LISTENS
  }

  private CoordinatorProbe() {}

  /**
   * Probes {@code host:port}.
   *
   * @param askTls whether to try a TLS handshake (only a plain worker needs to know)
   */
  static Finding probe(String host, int port, boolean askTls) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
    } catch (IOException | RuntimeException e) {
      return Finding.NOTHING_LISTENS;
    }
    return askTls && speaksTls(host, port) ? Finding.SPEAKS_TLS : Finding.LISTENS;
  }

  /** Whether a TLS handshake gets as far as the server's certificate. */
  private static boolean speaksTls(String host, int port) {
    AtomicBoolean certificate = new AtomicBoolean();
    TrustManager noticing = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        certificate.set(true); // it speaks TLS; whether we would trust it does not matter here
        // End the handshake here, before a plain worker would send an empty certificate chain
        // (the coordinator would log that as a refused peer).
        throw new java.security.cert.CertificateException("probe: seen");
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
      plain.setSoTimeout(TIMEOUT_MS);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {noticing}, null);
      try (SSLSocket tls = (SSLSocket) context.getSocketFactory()
          .createSocket(plain, host, port, true)) {
        tls.startHandshake();
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // a plain server ends the handshake; a TLS one that wants our certificate too
    }
    return certificate.get();
  }
}
