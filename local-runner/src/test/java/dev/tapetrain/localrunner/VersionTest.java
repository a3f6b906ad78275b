package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every command that lists {@code -V, --version} in its help answers it. */
class VersionTest {

  @Test
  void everyCommandPrintsItsVersion() throws Exception {
    String[][] commands = {{"--version"}, {"predict", "--version"}, {"inspect", "--version"},
        {"export", "--version"}};
    for (String[] args : commands) {
      Runs.Result r = Runs.run(args);
      assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.out().matches("(?s)tapetrain [a-z-]+ \\d+\\.\\d+\\.\\d+\\s*"),
          String.join(" ", args) + " printed: [" + r.out() + "]");
    }
  }
}
