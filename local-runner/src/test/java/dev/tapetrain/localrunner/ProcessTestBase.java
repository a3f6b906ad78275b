package dev.tapetrain.localrunner;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that start JVMs: a temporary directory for their runs and logs, and a
 * {@link Processes} whose every process is killed after each test, pass or fail.
 */
abstract class ProcessTestBase {

  @TempDir
  Path dir;

  Processes processes;

  @BeforeEach
  void startProcesses() {
    processes = configure(new Processes(dir));
  }

  @AfterEach
  void killProcesses() {
    processes.close();
  }

  /** Hook for environment variables every started process needs. */
  Processes configure(Processes fresh) {
    return fresh;
  }

  /** {@code args} followed by {@code more}. */
  static String[] concat(String[] args, String... more) {
    String[] out = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, out, args.length, more.length);
    return out;
  }
}
