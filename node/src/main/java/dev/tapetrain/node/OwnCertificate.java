package dev.tapetrain.node;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The keystore's choice of this node's certificate, except that a node whose certificate none
 * of the peer's CAs issued says so (one line naming both) and offers it anyway. Without this the
 * node would send no certificate at all, and the peer could only log "Empty client certificate
 * chain"; with it, the peer names the issuer it does not trust.
 */
final class OwnCertificate extends X509ExtendedKeyManager {

  private final X509ExtendedKeyManager delegate;

  OwnCertificate(X509ExtendedKeyManager delegate) {
    this.delegate = delegate;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return choose(issuers, i -> delegate.chooseEngineClientAlias(keyType, i, engine),
        engine.getPeerHost() + ":" + engine.getPeerPort());
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return choose(issuers, i -> delegate.chooseClientAlias(keyType, i, socket),
        socket == null ? "?" : String.valueOf(socket.getRemoteSocketAddress()));
  }

  /**
   * The alias {@code chooser} picks for {@code issuers}; if none, the one it picks for any
   * issuer, with a line saying the peer at {@code peer} will refuse it.
   */
  private String choose(Principal[] issuers, Function<Principal[], String> chooser,
      String peer) {
    String alias = chooser.apply(issuers);
    if (alias != null || issuers == null || issuers.length == 0) {
      return alias;
    }
    alias = chooser.apply(null);
    if (alias != null) {
      X509Certificate[] chain = delegate.getCertificateChain(alias);
      LoggingSslEngineProvider.warn("TLS connection (outbound to " + peer + "): the peer will "
          + "refuse this node's certificate " + PeerTrust.describe(chain) + ": it accepts only "
          + "certificates issued by ["
          + Arrays.stream(issuers).map(Principal::getName).collect(Collectors.joining("; "))
          + "]", true);
    }
    return alias;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return delegate.chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return delegate.getClientAliases(keyType, issuers);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate.getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate.getPrivateKey(alias);
  }
}
