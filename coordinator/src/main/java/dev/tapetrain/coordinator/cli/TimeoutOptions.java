package dev.tapetrain.coordinator.cli;

import dev.tapetrain.coordinator.run.RunConfig;
import dev.tapetrain.coordinator.spec.Defaults;
import dev.tapetrain.node.cli.Cli;
import java.time.Duration;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/**
 * How long a run waits, a picocli mixin of {@link TrainOptions}: for a step's answers, for its
 * workers to join, for a worker to come back. Their values, what they refuse (each in one line)
 * and what a resumed run keeps. {@code given} tells whether an option was on the command line.
 */
final class TimeoutOptions {

  /** The longest wait any of them takes: a day. */
  private static final double MAX_SECONDS = 86_400;

  @Option(names = "--step-timeout", defaultValue = Defaults.STEP_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Seconds to wait for a step's answers before a silent worker's chunks go "
          + "to the others (default: ${DEFAULT-VALUE}).")
  double stepSeconds;

  @Option(names = "--wait-timeout", defaultValue = Defaults.WAIT_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Seconds to wait for --workers workers to join before giving up "
          + "(default: ${DEFAULT-VALUE}).")
  double waitSeconds;

  @Option(names = "--rejoin-timeout", defaultValue = Defaults.REJOIN_TIMEOUT_SECONDS, paramLabel = "SECONDS",
      description = "Seconds to wait for a worker to come back (or a new one to join) when none "
          + "is left mid-run, before the run fails with its checkpoint; 0 fails at once "
          + "(default: ${DEFAULT-VALUE}).")
  double rejoinSeconds;

  /** The command's workers cannot come back or join: {@link #withoutRejoining}. */
  private boolean noRejoining;

  /**
   * For a command whose workers cannot come back or join (local-runner): a run with no worker
   * left fails at once.
   *
   * @throws UsageException if {@code --rejoin-timeout} was given anyway
   */
  void withoutRejoining(String command, Predicate<String> given) {
    if (given.test("--rejoin-timeout")) {
      throw new UsageException("--rejoin-timeout: " + command + "'s workers cannot come back or "
          + "join; the option is for coordinator.jar");
    }
    rejoinSeconds = 0;
    noRejoining = true;
  }

  /** Refuses a wait that is not a number of seconds up to a day (rejoin: 0 allowed). */
  void check() {
    if (!(stepSeconds > 0) || stepSeconds > MAX_SECONDS) {
      throw new UsageException("--step-timeout must be greater than 0 and at most 86400 "
          + "seconds, got " + Cli.plain(stepSeconds));
    }
    if (!(rejoinSeconds >= 0) || rejoinSeconds > MAX_SECONDS) {
      throw new UsageException("--rejoin-timeout must be between 0 and 86400 seconds, got "
          + Cli.plain(rejoinSeconds));
    }
    if (!(waitSeconds > 0) || waitSeconds > MAX_SECONDS) {
      throw new UsageException("--wait-timeout must be greater than 0 and at most 86400 "
          + "seconds, got " + Cli.plain(waitSeconds));
    }
  }

  /** A resumed run keeps its own waits, but those given again on this command line. */
  void keepUnlessGiven(RunConfig.Execution old, Predicate<String> given) {
    stepSeconds = given.test("--step-timeout") ? stepSeconds : old.stepTimeout();
    waitSeconds = given.test("--wait-timeout") ? waitSeconds : old.waitTimeout();
    rejoinSeconds = given.test("--rejoin-timeout") || noRejoining ? rejoinSeconds
        : old.rejoinTimeout();
  }

  Duration step() {
    return seconds(stepSeconds);
  }

  Duration waitForWorkers() {
    return seconds(waitSeconds);
  }

  Duration rejoin() {
    return seconds(rejoinSeconds);
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) (s * 1e9));
  }
}
