package dev.tapetrain.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tapetrain.spi.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --tls-keystore} and {@code --tls-truststore} (PKCS12) of the coordinator and worker
 * commands: with both, Artery runs over TLS 1.3 with mutual authentication, so only nodes whose
 * certificate the truststore trusts can connect, and with {@code --tls-allowed-names} only those
 * whose certificate names match (else any certificate the CA signed is a node). Passwords come from the environment
 * ({@value #KEYSTORE_PASSWORD}, {@value #TRUSTSTORE_PASSWORD}), never from the command line.
 */
public final class TlsOptions {

  /** Environment variable holding the keystore (and key) password. */
  public static final String KEYSTORE_PASSWORD = "TAPETRAIN_KEYSTORE_PASSWORD";
  /** Environment variable holding the truststore password. */
  public static final String TRUSTSTORE_PASSWORD = "TAPETRAIN_TRUSTSTORE_PASSWORD";

  @Option(names = "--tls-keystore", paramLabel = "FILE.p12",
      description = "This node's key and certificate (PKCS12); password in $"
          + KEYSTORE_PASSWORD + ". With --tls-truststore: TLS with mutual authentication.")
  Path keystore;

  @Option(names = "--tls-truststore", paramLabel = "FILE.p12",
      description = "The CA certificate(s) this node trusts (PKCS12); password in $"
          + TRUSTSTORE_PASSWORD + ".")
  Path truststore;

  @Option(names = "--tls-allowed-names", paramLabel = "PATTERN", split = ",",
      description = "Accept only peers whose certificate is for one of these names (its CN, or a "
          + "DNS or IP subject alternative name), comma-separated; '*' matches any characters, "
          + "e.g. 'node-*.example.com'. Default: any certificate the truststore's CA signed.")
  List<String> allowedNames;

  /** Whether TLS was asked for. */
  public boolean enabled() {
    return keystore != null || truststore != null || allowedNames != null;
  }

  /**
   * The Akka settings for TLS (empty without TLS), after checking that both stores open with
   * their passwords.
   *
   * @throws UserError naming the option, file or variable that is wrong
   */
  public Config akkaConfig(Map<String, String> env) {
    if (!enabled()) {
      return ConfigFactory.empty();
    }
    if (keystore == null || truststore == null) {
      throw new UserError(allowedNames != null && keystore == null && truststore == null
          ? "--tls-allowed-names needs --tls-keystore and --tls-truststore"
          : "--tls-keystore and --tls-truststore go together");
    }
    List<String> names = allowedNames == null ? List.of() : allowedNames;
    for (String name : names) {
      if (name.isBlank()) {
        throw new UserError("--tls-allowed-names: an empty pattern (expected names or patterns "
            + "like 'node-*.example.com', comma-separated)");
      }
    }
    String keyPassword = password(env, KEYSTORE_PASSWORD);
    String trustPassword = password(env, TRUSTSTORE_PASSWORD);
    KeyStore keys = check("--tls-keystore", keystore, keyPassword, KEYSTORE_PASSWORD);
    check("--tls-truststore", truststore, trustPassword, TRUSTSTORE_PASSWORD);
    requirePrivateKey(keys);
    String prefix = "akka.remote.artery.ssl.config-ssl-engine.";
    return ConfigFactory.empty()
        .withValue("akka.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue("akka.remote.artery.ssl.ssl-engine-provider",
            value(LoggingSslEngineProvider.class.getName()))
        .withValue(prefix + "key-store", value(keystore.toAbsolutePath().toString()))
        .withValue(prefix + "key-store-password", value(keyPassword))
        .withValue(prefix + "key-password", value(keyPassword))
        .withValue(prefix + "trust-store", value(truststore.toAbsolutePath().toString()))
        .withValue(prefix + "trust-store-password", value(trustPassword))
        .withValue(prefix + "protocol", value("TLSv1.3"))
        .withValue(prefix + "enabled-algorithms", ConfigValueFactory.fromIterable(
            List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")))
        .withValue(prefix + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true))
        .withValue(LoggingSslEngineProvider.ALLOWED_NAMES, ConfigValueFactory.fromIterable(names));
  }

  /**
   * The warning for a node that listens on a non-loopback address without TLS, if it does: a
   * caller checks this with the other options and prints it once they are all valid, so bad
   * input stays one line.
   *
   * @throws UserError if the address to listen on does not resolve, naming {@code --bind} when
   *     it was given apart from {@code --host}
   */
  public java.util.Optional<String> exposure(String command, NodeAddress address) {
    String bind = address.bind();
    try {
      if (enabled() || InetAddress.getByName(bind).isLoopbackAddress()) {
        return java.util.Optional.empty();
      }
    } catch (UnknownHostException e) {
      throw new UserError((bind.equals(address.host()) ? "--host " : "--bind ") + bind
          + ": unknown host");
    }
    return java.util.Optional.of(command + ": warning: listening on " + bind + " without TLS; "
        + "anyone who can reach this port can join the cluster (see --tls-keystore)");
  }

  private static com.typesafe.config.ConfigValue value(String s) {
    return ConfigValueFactory.fromAnyRef(s);
  }

  private static String password(Map<String, String> env, String variable) {
    String p = env.get(variable);
    if (p == null || p.isEmpty()) {
      throw new UserError("TLS needs the password in the environment variable " + variable);
    }
    return p;
  }

  private static KeyStore check(String option, Path file, String password, String variable) {
    if (!Files.isRegularFile(file)) {
      throw new UserError(option + " " + file + ": no such file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new UserError(option + " " + file + ": cannot open as PKCS12 with the password in $"
          + variable + " (" + e.getMessage() + ")");
    }
  }

  /**
   * A key store without a private key (typically the truststore passed twice) opens fine, but
   * then every handshake fails with a message about trust, far from the cause: refuse it here.
   */
  private void requirePrivateKey(KeyStore keys) {
    try {
      for (String alias : java.util.Collections.list(keys.aliases())) {
        if (keys.isKeyEntry(alias)) {
          return;
        }
      }
    } catch (java.security.KeyStoreException e) {
      throw new UserError("--tls-keystore " + keystore + ": cannot list its entries ("
          + e.getMessage() + ")");
    }
    Path name = keystore.getFileName();
    throw new UserError("--tls-keystore " + keystore + ": holds no private key (a key store "
        + "needs the node's key and certificate; " + name
        + " holds only trusted certificates?)");
  }
}
