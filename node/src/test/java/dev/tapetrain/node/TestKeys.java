package dev.tapetrain.node;

import java.io.InputStream;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS tests' certificates, made by {@code src/test/resources/tls/make-certs.sh} with the
 * README's keytool commands (EC keys, valid for 100 years): a CA ({@code tapetrain-ca}, whose
 * certificate {@code truststore.p12} holds) with two nodes it signed ({@code tapetrain-node},
 * {@code evil.example.com}), and another CA ({@code evil-ca}) with its node
 * ({@code evil-node}). And TLS contexts as {@link LoggingSslEngineProvider} builds them.
 */
final class TestKeys {

  static final String PASSWORD = "change-me";

  private TestKeys() {}

  /** The certificates of the test resources. */
  static TestKeys load() {
    return new TestKeys();
  }

  private static KeyStore load(String file) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = TestKeys.class.getResourceAsStream("/tls/" + file)) {
      if (in == null) {
        throw new IllegalStateException("no test resource tls/" + file);
      }
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  /** The truststore's manager: trusts {@code tapetrain-ca} only. */
  X509ExtendedTrustManager trustManager() throws Exception {
    TrustManagerFactory f = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    f.init(load("truststore.p12"));
    return (X509ExtendedTrustManager) f.getTrustManagers()[0];
  }

  /** The key manager of node {@code name}. */
  X509ExtendedKeyManager keyManager(String name) throws Exception {
    KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    f.init(load(name + ".p12"), PASSWORD.toCharArray());
    return (X509ExtendedKeyManager) f.getKeyManagers()[0];
  }

  /** The certificate chain of node {@code name}. */
  java.security.cert.X509Certificate[] chain(String name) throws Exception {
    return keyManager(name).getCertificateChain("node");
  }

  /**
   * A TLS 1.3 context of node {@code name} as a tapetrain node has it: its own certificate
   * ({@link OwnCertificate}) and the truststore with {@code allowed} names ({@link PeerTrust}).
   */
  SSLContext context(String name, List<String> allowed) throws Exception {
    SSLContext c = SSLContext.getInstance("TLSv1.3");
    c.init(new javax.net.ssl.KeyManager[] {new OwnCertificate(keyManager(name))},
        new javax.net.ssl.TrustManager[] {new PeerTrust(trustManager(), allowed)}, null);
    return c;
  }
}
