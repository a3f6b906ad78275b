package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Certificates for the TLS tests, made with the JDK's keytool as the README says. */
final class TestCertificates {

  private static final String PASSWORD = "change-me";

  private TestCertificates() {}

  /**
   * Runs the README's "make-certs" block in {@code into} (a CA and a node certificate), with
   * {@code prefix} instead of {@code tapetrain} in the names.
   */
  static void fromReadme(Path into, String prefix) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("# make-certs");
    String block = readme.substring(start, readme.indexOf("```", start))
        .replace("CN=tapetrain-", "CN=" + prefix + "-");
    run(into, block);
  }

  /**
   * A {@code node.p12} in {@code into} for {@code name}, signed by the CA that
   * {@link #fromReadme} made in {@code caDir}.
   */
  static void signedBy(Path caDir, Path into, String name) throws Exception {
    String ca = caDir.toAbsolutePath().toString();
    run(into, String.join("\n",
        "P=" + PASSWORD,
        "keytool -genkeypair -alias node -keyalg RSA -keysize 2048 -dname CN=" + name
            + " -validity 365 -keystore node.p12 -storetype PKCS12 -storepass $P",
        "keytool -certreq -alias node -keystore node.p12 -storepass $P -file node.csr",
        "keytool -gencert -alias ca -keystore " + ca + "/ca.p12 -storepass $P -infile node.csr"
            + " -outfile node.pem -rfc -validity 365 -ext ku:c=digitalSignature,keyEncipherment"
            + " -ext eku=serverAuth,clientAuth",
        "keytool -importcert -noprompt -alias ca -file " + ca + "/ca.pem -keystore node.p12"
            + " -storepass $P",
        "keytool -importcert -alias node -file node.pem -keystore node.p12 -storepass $P", ""));
  }

  private static void run(Path into, String script) throws Exception {
    Files.createDirectories(into);
    Path file = into.resolve("make-certs.sh");
    // Every keytool command is a JVM: with C1 only and the serial collector each one costs about half
    // the CPU (1.3 -> 0.7 s here), and a TLS test makes two dozen.
    Files.writeString(file, "keytool() { command keytool -J-XX:TieredStopAtLevel=1"
        + " -J-XX:+UseSerialGC \"$@\"; }\n" + script);
    ProcessBuilder pb = new ProcessBuilder("bash", "-e", file.toString())
        .directory(into.toFile()).redirectErrorStream(true)
        .redirectOutput(into.resolve("make-certs.log").toFile());
    String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
    pb.environment().put("PATH", javaBin + java.io.File.pathSeparator
        + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "keytool commands finished");
    assertEquals(0, p.exitValue(), Files.readString(into.resolve("make-certs.log")));
  }
}
