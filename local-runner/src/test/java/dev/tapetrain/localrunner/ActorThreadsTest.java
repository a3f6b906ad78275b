package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.data.cache.CacheSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * local-runner's default actor threads follow a step's work, samples × parameters, not the
 * samples alone: 100 000 samples of the tutorial's line run on one thread (hand-offs would cost
 * more than they save), 100 000 of an MLP or a softmax on every core (on one thread the workers'
 * passes ran one after the other).
 */
class ActorThreadsTest {

  @CommandLine.Command(name = "train")
  static final class Train {
    @CommandLine.Mixin
    TrainOptions options;
  }

  private static RunSpec spec(String... args) {
    Train train = new Train();
    new CommandLine(train).parseArgs(args);
    return train.options.toRunSpec(2);
  }

  private static int threads(Integer chosen, String... args) {
    RunSpec spec = spec(args);
    LocalLauncher launcher = new LocalLauncher(chosen, ConfigFactory.empty(),
        CacheSettings.defaults());
    launcher.check(spec); // counts the model's parameters
    return launcher.threadsFor(spec, 2);
  }

  @Test
  void theTutorialsLineOnOneThreadUpToItsThreshold() {
    assertEquals(1, threads(null, "--examples", "1000"));
    assertEquals(1, threads(null, "--examples", "100000"));
    assertEquals(2, threads(null, "--examples", "1000000"));
  }

  @Test
  void aModelWithMoreParametersUsesTheCoresForTheSameSamples() {
    // MLP 1-16-1: 49 parameters; 100 000 samples are the work of 2.45M of the tutorial's.
    assertEquals(2, threads(null, "--examples", "100000", "--model", "mlp", "--hidden", "16"));
    // But a small job stays on one thread whatever the model.
    assertEquals(1, threads(null, "--examples", "1000", "--model", "mlp", "--hidden", "16"));
  }

  @Test
  void threadsGivenAreKept() {
    assertEquals(1, threads(1, "--examples", "100000", "--model", "mlp", "--hidden", "16"));
    assertEquals(2, threads(2, "--examples", "1000"));
  }

  @Test
  void theFormulaCountsSamplesTimesHalfTheParametersAndStopsAtTheCores() {
    long per = LocalLauncher.SAMPLES_PER_THREAD;
    assertEquals(1, LocalLauncher.threadsFor(2 * per - 1, 2, null, 8));
    assertEquals(2, LocalLauncher.threadsFor(2 * per, 2, null, 8));
    assertEquals(2, LocalLauncher.threadsFor(per, 4, null, 8)); // twice the work per sample
    assertEquals(8, LocalLauncher.threadsFor(100_000, 510, null, 8)); // softmax 50 -> 10
    assertEquals(1, LocalLauncher.threadsFor(per, 1, null, 8)); // fewer than 2 count as 2
    assertEquals(1, LocalLauncher.threadsFor(10, 2, null, 8));
  }

  /**
   * {@link LocalLauncher#compileAhead} of {@code args}, asked again while the JVM's compile
   * thread is still busy (warming up an earlier test's loop, say), for up to two minutes.
   */
  private static java.util.concurrent.Future<?> compileAhead(String... args) throws Exception {
    RunSpec spec = spec(args);
    long until = System.nanoTime() + 120_000_000_000L;
    java.util.concurrent.Future<?> ahead = LocalLauncher.compileAhead(spec);
    while (ahead == null && System.nanoTime() < until) {
      Thread.sleep(50);
      ahead = LocalLauncher.compileAhead(spec);
    }
    return ahead;
  }

  @Test
  void aLongRunCompilesItsModelWhileTheActorSystemStarts() throws Exception {
    // Widths no other test of this JVM compiles. 100 full-batch steps of 50 000 samples a
    // worker: a worker would compile at its first round anyway, so it starts before the
    // workers exist (a short run is never compiled ahead: ModelCompilationTest).
    java.util.concurrent.Future<?> ahead = compileAhead("--examples", "100000", "--steps",
        "100", "--model", "mlp", "--hidden", "29");
    org.junit.jupiter.api.Assertions.assertNotNull(ahead, "100 steps: compiled ahead");
    ahead.get(2, java.util.concurrent.TimeUnit.MINUTES);
    // An epoch of 1M samples in batches of 256: 3 907 updates.
    java.util.concurrent.Future<?> epochs = compileAhead("--examples", "1000000", "--epochs",
        "1", "--batch-size", "256", "--model", "softmax", "--classes", "3");
    org.junit.jupiter.api.Assertions.assertNotNull(epochs, "an epoch of batches");
    epochs.get(2, java.util.concurrent.TimeUnit.MINUTES);
  }
}
