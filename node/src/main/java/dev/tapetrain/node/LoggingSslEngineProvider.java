package dev.tapetrain.node;

import akka.actor.ActorSystem;
import akka.remote.artery.tcp.ConfigSSLEngineProvider;
import com.typesafe.config.Config;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Akka's {@link ConfigSSLEngineProvider}, plus the names check of {@code --tls-allowed-names}
 * ({@link PeerTrust}) and one warning per refused TLS connection: a peer whose certificate is
 * not trusted or not allowed (naming its subject and issuer), a certificate of this node that
 * the peer will not trust ({@link OwnCertificate}), or a handshake that fails otherwise. Akka
 * itself drops such connections silently; an operator wants to know someone knocked. The same
 * line again within a minute is counted, not repeated ({@link LogSummary}).
 */
public final class LoggingSslEngineProvider extends ConfigSSLEngineProvider {

  /** Where the allowed names are in the actor system's configuration (a list of patterns). */
  public static final String ALLOWED_NAMES = "tapetrain.tls.allowed-names";

  private static final Logger LOG = LoggerFactory.getLogger("dev.tapetrain.tls");
  private static final LogSummary SUMMARY =
      new LogSummary("refused TLS connection(s)", LogSummary.INTERVAL, LOG::warn);
  private static volatile String lastRefusal;

  static {
    // The counts of the last minute, also when the process ends within it.
    Runtime.getRuntime().addShutdownHook(new Thread(SUMMARY::flush, "tapetrain-tls-summary"));
  }

  private final List<String> allowedNames;

  /** Called reflectively by Artery ({@code akka.remote.artery.ssl.ssl-engine-provider}). */
  public LoggingSslEngineProvider(ActorSystem system) {
    super(system);
    Config config = system.settings().config();
    allowedNames = config.hasPath(ALLOWED_NAMES) ? config.getStringList(ALLOWED_NAMES)
        : List.of();
  }

  /**
   * Logs {@code line} unless the same line was logged within the last minute; {@code outbound}:
   * about a connection this node opened.
   */
  static void warn(String line, boolean outbound) {
    if (outbound) {
      lastRefusal = line;
    }
    if (SUMMARY.first(line)) {
      LOG.warn(line);
    }
  }

  /** The last refusal of a TLS connection this process opened, or null if none. */
  public static String lastRefusal() {
    return lastRefusal;
  }

  @Override
  public TrustManager[] trustManagers() {
    return wrapped(super.trustManagers(), X509ExtendedTrustManager.class,
        x -> new PeerTrust(x, allowedNames));
  }

  @Override
  public KeyManager[] keyManagers() {
    return wrapped(super.keyManagers(), X509ExtendedKeyManager.class, OwnCertificate::new);
  }

  /** {@code managers}, each of {@code type} replaced by {@code wrap} of it. */
  private static <M, X extends M> M[] wrapped(M[] managers, Class<X> type,
      Function<X, M> wrap) {
    for (int i = 0; i < managers.length; i++) {
      if (type.isInstance(managers[i])) {
        managers[i] = wrap.apply(type.cast(managers[i]));
      }
    }
    return managers;
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    return new LoggingEngine(super.createServerSSLEngine(hostname, port), "inbound");
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    return new LoggingEngine(super.createClientSSLEngine(hostname, port),
        "outbound to " + hostname + ":" + port);
  }

  /** Delegates everything; logs the first TLS failure of its connection (e.g. plain TCP). */
  private static final class LoggingEngine extends SSLEngine {
    private final SSLEngine delegate;
    private final String connection;
    private boolean logged;

    LoggingEngine(SSLEngine delegate, String connection) {
      super(delegate.getPeerHost(), delegate.getPeerPort());
      this.delegate = delegate;
      this.connection = connection;
    }

    private SSLException logged(SSLException e) {
      if (!logged && !(e.getCause() instanceof CertificateException)) {
        logged = true;
        warn("refused a TLS connection (" + connection + "): " + e.getMessage(),
            delegate.getUseClientMode());
      }
      return e;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
        throws SSLException {
      try {
        return delegate.wrap(srcs, offset, length, dst);
      } catch (SSLException e) {
        throw logged(e);
      }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
        throws SSLException {
      try {
        return delegate.unwrap(src, dsts, offset, length);
      } catch (SSLException e) {
        throw logged(e);
      }
    }

    @Override
    public Runnable getDelegatedTask() {
      return delegate.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
      delegate.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
      return delegate.isInboundDone();
    }

    @Override
    public void closeOutbound() {
      delegate.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
      return delegate.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
      return delegate.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
      delegate.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
      return delegate.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
      return delegate.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
      delegate.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
      return delegate.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
      return delegate.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
      try {
        delegate.beginHandshake();
      } catch (SSLException e) {
        throw logged(e);
      }
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
      return delegate.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
      delegate.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
      return delegate.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
      delegate.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
      return delegate.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
      delegate.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
      return delegate.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
      delegate.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
      return delegate.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
      return delegate.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
      delegate.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
      return delegate.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
      return delegate.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(
        BiFunction<SSLEngine, List<String>, String> selector) {
      delegate.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
      return delegate.getHandshakeApplicationProtocolSelector();
    }
  }
}
