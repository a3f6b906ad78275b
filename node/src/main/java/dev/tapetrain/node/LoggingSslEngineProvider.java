package dev.tapetrain.node;

import akka.actor.ActorSystem;
import akka.remote.artery.tcp.ConfigSSLEngineProvider;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Akka's {@link ConfigSSLEngineProvider}, plus one warning per refused TLS connection: a peer
 * whose certificate is not trusted, or one that does not speak TLS at all. Akka itself drops
 * such connections silently; an operator wants to know someone knocked.
 */
public final class LoggingSslEngineProvider extends ConfigSSLEngineProvider {

  private static final Logger LOG = LoggerFactory.getLogger("dev.tapetrain.tls");

  /** Called reflectively by Artery ({@code akka.remote.artery.ssl.ssl-engine-provider}). */
  public LoggingSslEngineProvider(ActorSystem system) {
    super(system);
  }

  @Override
  public TrustManager[] trustManagers() {
    TrustManager[] managers = super.trustManagers();
    for (int i = 0; i < managers.length; i++) {
      if (managers[i] instanceof X509ExtendedTrustManager x) {
        managers[i] = new LoggingTrustManager(x);
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

  private static String subject(X509Certificate[] chain) {
    return chain == null || chain.length == 0 ? "(no certificate)"
        : chain[0].getSubjectX500Principal().getName();
  }

  /** Logs a certificate that fails the trust check, then fails as before. */
  private static final class LoggingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    LoggingTrustManager(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    private interface Check {
      void run() throws CertificateException;
    }

    private static void checked(String side, X509Certificate[] chain, Check check)
        throws CertificateException {
      try {
        check.run();
      } catch (CertificateException e) {
        LOG.warn("refused a TLS connection: {} certificate [{}] is not trusted ({})", side,
            subject(chain), e.getMessage());
        throw e;
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      checked("client", chain, () -> delegate.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checked("client", chain, () -> delegate.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checked("client", chain, () -> delegate.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      checked("server", chain, () -> delegate.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checked("server", chain, () -> delegate.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checked("server", chain, () -> delegate.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
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
        LOG.warn("refused a TLS connection ({}): {}", connection, e.getMessage());
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
