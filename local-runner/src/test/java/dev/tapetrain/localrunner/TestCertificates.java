package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Certificates for the TLS tests, made with the JDK's keytool as the README says. */
final class TestCertificates {

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

  private static void run(Path into, String script) throws Exception {
    Files.createDirectories(into);
    Path file = into.resolve("make-certs.sh");
    Files.writeString(file, script);
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
