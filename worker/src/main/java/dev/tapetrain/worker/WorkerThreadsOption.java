package dev.tapetrain.worker;

import dev.tapetrain.spi.UserError;
import dev.tapetrain.worker.shard.EvaluationThreads;
import picocli.CommandLine.Option;

/**
 * {@code --worker-threads N}, shared by every command whose workers evaluate chunks
 * ({@code train}, {@code worker}): picocli mixin. Not {@code --threads}, which is local-runner's
 * actor threads.
 */
public final class WorkerThreadsOption {

  @Option(names = "--worker-threads", defaultValue = "1", paramLabel = "N",
      description = "Threads each worker evaluates a round's chunks on, a pool of its own; the "
          + "numbers are the same bits for any N. Helps when a machine has more cores than "
          + "worker actors (one worker JVM per machine) (default: ${DEFAULT-VALUE}).")
  String threads;

  /**
   * The number of threads the option gives.
   *
   * @throws UserError in one line naming the option, unless a whole number in 1..256
   */
  public int count() {
    int n;
    try {
      n = Integer.parseInt(threads.trim());
    } catch (NumberFormatException e) {
      throw new UserError("--worker-threads must be a whole number between 1 and "
          + EvaluationThreads.MAX + ", got '" + threads + "'");
    }
    if (n < 1 || n > EvaluationThreads.MAX) {
      throw new UserError("--worker-threads must be between 1 and " + EvaluationThreads.MAX
          + ", got " + n);
    }
    return n;
  }
}
