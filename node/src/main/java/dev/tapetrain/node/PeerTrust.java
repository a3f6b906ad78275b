package dev.tapetrain.node;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The truststore's check of a peer's certificate, then the names check of
 * {@code --tls-allowed-names}: a certificate the CA signed is refused unless one of its names
 * (the subject's CN, a DNS or IP subject alternative name) matches one of the patterns. Each
 * refusal is one log line naming the certificate, its issuer and what was expected.
 */
final class PeerTrust extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager delegate;
  private final List<String> allowed;
  private final List<Pattern> patterns;

  /**
   * @param allowed patterns of allowed names, {@code *} matching any characters; empty: any
   *     certificate the truststore trusts
   */
  PeerTrust(X509ExtendedTrustManager delegate, List<String> allowed) {
    this.delegate = delegate;
    this.allowed = List.copyOf(allowed);
    this.patterns = allowed.stream().map(PeerTrust::glob).toList();
  }

  /** A pattern where {@code *} matches any characters, case-insensitive, the whole name. */
  static Pattern glob(String pattern) {
    String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote)
        .collect(Collectors.joining(".*"));
    return Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
  }

  /** The names a certificate is for: its subject's CNs, then its DNS and IP alternative names. */
  static List<String> names(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      // A subject that does not parse has no CN to offer.
    }
    try {
      Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> a : alternatives) {
          int type = (Integer) a.get(0);
          if (type == 2 || type == 7) { // dNSName, iPAddress
            names.add(a.get(1).toString());
          }
        }
      }
    } catch (CertificateParsingException e) {
      // No readable alternative names: the CN is all there is.
    }
    return names;
  }

  /** "[subject] issued by [issuer]" of a chain's first certificate. */
  static String describe(X509Certificate[] chain) {
    return chain == null || chain.length == 0 ? "(no certificate)"
        : "[" + chain[0].getSubjectX500Principal().getName() + "] issued by ["
            + chain[0].getIssuerX500Principal().getName() + "]";
  }

  private interface Check {
    void run() throws CertificateException;
  }

  private void checked(String direction, X509Certificate[] chain, Check check)
      throws CertificateException {
    try {
      check.run();
    } catch (CertificateException e) {
      String trusted = Arrays.stream(delegate.getAcceptedIssuers())
          .map(c -> c.getSubjectX500Principal().getName()).collect(Collectors.joining("; "));
      LoggingSslEngineProvider.warn("refused a TLS connection (" + direction + "): the peer's "
          + "certificate " + describe(chain) + " is not trusted: this node's truststore holds ["
          + trusted + "] (" + e.getMessage() + ")", direction.startsWith("outbound"));
      throw e;
    }
    if (patterns.isEmpty()) {
      return;
    }
    List<String> names = names(chain[0]);
    for (String name : names) {
      for (Pattern p : patterns) {
        if (p.matcher(name).matches()) {
          return;
        }
      }
    }
    LoggingSslEngineProvider.warn("refused a TLS connection (" + direction + "): the peer's "
        + "certificate " + describe(chain) + " is for " + names + ", none of which --tls-allowed-"
        + "names " + String.join(",", allowed) + " allows", direction.startsWith("outbound"));
    throw new CertificateException("certificate names " + names + " not allowed");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    checked("inbound", chain, () -> delegate.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checked("inbound", chain, () -> delegate.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checked("inbound", chain, () -> delegate.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    checked("outbound", chain, () -> delegate.checkServerTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checked("outbound", chain, () -> delegate.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checked("outbound to " + engine.getPeerHost() + ":" + engine.getPeerPort(), chain,
        () -> delegate.checkServerTrusted(chain, authType, engine));
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
