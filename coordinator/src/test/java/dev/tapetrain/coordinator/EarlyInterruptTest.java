package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded run (the Java API) whose thread was interrupted while it read its data still makes
 * its run directory, and keeps the interrupt for the run to end as interrupted: it failed
 * "cannot write config.json: null" (a channel closed by the interrupt).
 */
class EarlyInterruptTest {

  @Test
  void anInterruptedThreadMakesTheDirectoryAndStaysInterrupted(@TempDir Path tmp) {
    DatasetSpec data = new DatasetSpec(
        DatasetSpec.Source.synthetic(100, List.of(3.0), 2.0, 1.0, 42), 64);
    RunSpec spec = new RunSpec(1, 3, 0.01, OptimizerSpec.sgd(), data, StepPolicy.fullBatch(), 1,
        Duration.ofSeconds(10), Duration.ofSeconds(10), 1000, RunSpec.DEFAULT_REJOIN_TIMEOUT,
        ModelSpec.linear(42));
    Path dir = tmp.resolve("run");
    Thread.currentThread().interrupt();
    RunDirectory run;
    try {
      run = EarlyInterrupt.make(null, () -> RunDirectory.create(dir, spec, "test"), spec, null,
          () -> {});
    } finally {
      assertTrue(Thread.interrupted(), "the interrupt is kept for the run");
    }
    run.close();
    assertTrue(Files.exists(dir.resolve(RunDirectory.CONFIG)));
    assertTrue(Files.exists(dir.resolve(RunDirectory.SUMMARY)));
  }
}
