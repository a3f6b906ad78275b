package dev.tapetrain.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.spi.UserError;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key and trust stores are checked at start, so a wrong file never surfaces as a handshake error. */
class TlsOptionsTest {

  private static final Map<String, String> ENV = Map.of(
      TlsOptions.KEYSTORE_PASSWORD, TestKeys.PASSWORD,
      TlsOptions.TRUSTSTORE_PASSWORD, TestKeys.PASSWORD);

  @TempDir
  Path dir;

  private Path resource(String name) throws Exception {
    Path file = dir.resolve(name);
    try (InputStream in = TlsOptionsTest.class.getResourceAsStream("/tls/" + name)) {
      Files.copy(in, file);
    }
    return file;
  }

  private static TlsOptions options(Path keystore, Path truststore) {
    TlsOptions tls = new TlsOptions();
    tls.keystore = keystore;
    tls.truststore = truststore;
    return tls;
  }

  @Test
  void aKeystoreWithTheNodesKeyIsAccepted() throws Exception {
    Path trust = resource("truststore.p12");
    assertEquals("tls-tcp", options(resource("tapetrain-node.p12"), trust)
        .akkaConfig(ENV).getString("akka.remote.artery.transport"));
  }

  @Test
  void theTruststorePassedAsKeystoreIsRefusedSayingItHoldsNoPrivateKey() throws Exception {
    Path trust = resource("truststore.p12");
    UserError e = assertThrows(UserError.class, () -> options(trust, trust).akkaConfig(ENV));
    assertEquals("--tls-keystore " + trust + ": holds no private key (a key store needs the "
        + "node's key and certificate; truststore.p12 holds only trusted certificates?)",
        e.getMessage());
  }

  @Test
  void anUnknownListeningAddressIsNamedByTheOptionThatGaveIt() {
    TlsOptions plain = new TlsOptions();
    assertEquals("--bind nosuch.invalid: unknown host", assertThrows(UserError.class,
        () -> plain.exposure("coordinator",
            new NodeAddress("127.0.0.1", "nosuch.invalid", 2551))).getMessage());
    assertEquals("--host nosuch.invalid: unknown host", assertThrows(UserError.class,
        () -> plain.exposure("coordinator",
            new NodeAddress("nosuch.invalid", "nosuch.invalid", 2551))).getMessage());
  }

  @Test
  void aNodeReachableBeyondLoopbackWithoutTlsIsWarnedOfAndALoopbackOneIsNot() {
    TlsOptions plain = new TlsOptions();
    assertEquals(java.util.Optional.of("worker: warning: listening on 0.0.0.0 without TLS; "
        + "anyone who can reach this port can join the cluster (see --tls-keystore)"),
        plain.exposure("worker", new NodeAddress("127.0.0.1", "0.0.0.0", 2551)));
    assertEquals(java.util.Optional.empty(),
        plain.exposure("worker", new NodeAddress("127.0.0.1", "127.0.0.1", 2551)));
  }
}
