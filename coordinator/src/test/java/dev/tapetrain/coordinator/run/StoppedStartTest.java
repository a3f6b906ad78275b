package dev.tapetrain.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory holding nothing of a run but the {@code run.lock} of a start stopped before it
 * wrote config.json is taken over by a new run, unless a live process holds that lock; a start
 * taken back leaves exactly such a directory.
 */
class StoppedStartTest {

  private static RunSpec spec() {
    DatasetSpec data = new DatasetSpec(
        DatasetSpec.Source.synthetic(100, List.of(3.0), 2.0, 1.0, 42), 64);
    return new RunSpec(1, 3, 0.01, OptimizerSpec.sgd(), data, StepPolicy.fullBatch(), 1,
        Duration.ofSeconds(10), Duration.ofSeconds(10), 1000, RunSpec.DEFAULT_REJOIN_TIMEOUT,
        ModelSpec.linear(42));
  }

  /** A directory with only the lock file of a start that ended. */
  private static Path stoppedStart(Path tmp) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("run"));
    RunLock.acquire(dir, "--run-dir").close();
    return dir;
  }

  @Test
  void aStaleLockAloneIsTakenOver(@TempDir Path tmp) throws Exception {
    Path dir = stoppedStart(tmp);
    assertTrue(NewDirectory.holdsOnlyLock(dir));
    try (RunDirectory run = RunDirectory.create(dir, spec(), "test")) {
      assertTrue(Files.exists(dir.resolve(RunDirectory.CONFIG)));
      assertTrue(RunLock.isHeld(dir));
    }
  }

  @Test
  void aLockALiveProcessHoldsIsRefused(@TempDir Path tmp) throws Exception {
    Path dir = stoppedStart(tmp);
    try (RunLock live = RunLock.acquire(dir, "--run-dir")) {
      RunDirectoryException e = assertThrows(RunDirectoryException.class,
          () -> RunDirectory.create(dir, spec(), "test"));
      assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
      assertFalse(Files.exists(dir.resolve(RunDirectory.CONFIG)));
    }
  }

  @Test
  void aLockBesideAnythingElseIsNotAStoppedStart(@TempDir Path tmp) throws Exception {
    Path dir = stoppedStart(tmp);
    Files.writeString(dir.resolve("notes.txt"), "mine");
    assertFalse(NewDirectory.holdsOnlyLock(dir));
    RunDirectoryException e = assertThrows(RunDirectoryException.class,
        () -> RunDirectory.create(dir, spec(), "test"));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertFalse(NewDirectory.holdsOnlyLock(Files.createDirectory(tmp.resolve("empty"))));
  }

  @Test
  void aStartTakenBackLeavesOnlyItsLock(@TempDir Path tmp) {
    Path dir = tmp.resolve("run");
    RunDirectory run = RunDirectory.create(dir, spec(), "test");
    run.takeBack();
    run.close();
    assertTrue(NewDirectory.holdsOnlyLock(dir), dir + " holds only run.lock");
  }

  @Test
  void aFileIsWrittenWholeByAnInterruptedThreadWhichStaysInterrupted(@TempDir Path tmp)
      throws Exception {
    Path file = tmp.resolve("config.json");
    byte[] text = "{}\n".getBytes(StandardCharsets.UTF_8);
    Thread.currentThread().interrupt();
    try {
      AtomicFiles.write(file, text);
    } finally {
      assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
    }
    assertArrayEquals(text, Files.readAllBytes(file));
  }
}
