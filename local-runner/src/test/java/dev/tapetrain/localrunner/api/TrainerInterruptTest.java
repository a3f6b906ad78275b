package dev.tapetrain.localrunner.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupt of the thread in {@link Trainer#fit()} at any point of it — before the call,
 * while the data are checked, while the actors start, while it trains, as it ends — ends as
 * docs/api.md says: status interrupted and exit code 130 (or the run's own end if it came
 * first), the flag set again, no summary left "running", nothing printed, nothing left running.
 * The points are reached by hooks (the model's creation, the step listener), not by sleeps.
 */
class TrainerInterruptTest {

  @TempDir
  Path dir;

  /** How one fit() on a thread of its own ended. */
  private record Ended(TrainedRun run, Throwable thrown, boolean flag) {}

  /**
   * Runs {@code trainer}'s fit on a new thread, first interrupted if {@code before}; {@code
   * fitting} is given that thread before it starts, for the hooks that interrupt it.
   */
  private static Ended fitOnThread(Trainer trainer, boolean before,
      AtomicReference<Thread> fitting) throws InterruptedException {
    AtomicReference<Ended> ended = new AtomicReference<>();
    Thread t = new Thread(() -> {
      if (before) {
        Thread.currentThread().interrupt();
      }
      try {
        TrainedRun run = trainer.fit();
        ended.set(new Ended(run, null, Thread.currentThread().isInterrupted()));
      } catch (Throwable e) {
        ended.set(new Ended(null, e, Thread.currentThread().isInterrupted()));
      }
    }, "test-fitting");
    fitting.set(t);
    // What Akka prints goes to System.out and System.err, not to the console streams.
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      t.start();
      t.join(120_000);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    out.print(printed.toString(StandardCharsets.UTF_8));
    assertFalse(t.isAlive(), "fit() returned");
    String all = printed.toString(StandardCharsets.UTF_8);
    assertFalse(all.contains("Exception") || all.contains("\tat "), all);
    return ended.get();
  }

  /** A line ({@link TrainerTest.OwnLine}) that interrupts the fitting thread when made n-th. */
  private static final class InterruptingLine implements ModelFactory {
    private final ModelFactory line = new TrainerTest.OwnLine("interrupting-line", null);
    private final AtomicInteger created = new AtomicInteger();
    private final int at;
    private final AtomicReference<Thread> fitting;

    InterruptingLine(int at, AtomicReference<Thread> fitting) {
      this.at = at;
      this.fitting = fitting;
    }

    @Override
    public String name() {
      return "interrupting-line";
    }

    @Override
    public Model create(ModelOptions options) {
      if (created.incrementAndGet() == at) {
        fitting.get().interrupt();
        // fit() takes the interrupt as a stop request (clearing the flag) before this run goes
        // on: the stop is seen at the next point that looks, not at a later one by chance.
        long bound = System.nanoTime() + 30_000_000_000L; // a bound, never reached when it works
        while (fitting.get().isInterrupted() && System.nanoTime() < bound) {
          Thread.onSpinWait();
        }
      }
      return line.create(options);
    }
  }

  /** Threads that must not outlive a fit: the run's own, and any non-daemon one. */
  private static Set<String> leftRunning(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t))
        .filter(t -> t.getName().equals("tapetrain-fit") || !t.isDaemon())
        .map(Thread::getName).collect(Collectors.toSet());
  }

  private static JsonNode summary(Path run) throws Exception {
    return Json.MAPPER.readTree(run.resolve("summary.json").toFile());
  }

  /** Asserts the interrupted ending of a run whose directory was made. */
  private static void assertInterrupted(Ended e, Path run, String printed) throws Exception {
    // printed: the run's own lines (the console's err), which say it was interrupted
    assertTrue(e.flag(), "the interrupt flag is set again");
    assertTrue(e.thrown() instanceof TrainingFailedException, String.valueOf(e.thrown()));
    TrainingFailedException f = (TrainingFailedException) e.thrown();
    assertEquals("interrupted", f.status(), f.getMessage());
    assertEquals(130, f.exitCode());
    assertEquals(run, f.runDir());
    assertEquals("interrupted", summary(run).path("status").asText());
    for (String line : printed.split("\n")) {
      assertFalse(line.contains("Exception") || line.contains("\tat ")
          || line.contains("failed"), printed);
    }
  }

  private Trainer.Builder job(Path run, ByteArrayOutputStream console) {
    PrintStream err = new PrintStream(console, true, StandardCharsets.UTF_8);
    // The run's own messages go to err (silent by default): only a stack trace would show.
    return Trainer.builder().steps(1_000_000).option("--log-every", "1000000").runDir(run)
        .console(new PrintStream(java.io.OutputStream.nullOutputStream()), err);
  }

  @Test
  void interruptedBeforeFitWritesNothingAndKeepsTheFlag() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    Path run = dir.resolve("before");
    Ended e = fitOnThread(job(run, new ByteArrayOutputStream()).build(), true,
        new AtomicReference<>());
    assertTrue(e.flag());
    TrainingFailedException f = (TrainingFailedException) e.thrown();
    assertEquals("interrupted", f.status());
    assertEquals(130, f.exitCode());
    assertNull(f.runDir());
    assertEquals("interrupted: interrupted before the run started; nothing was written",
        f.getMessage());
    assertFalse(Files.exists(run));
    assertEquals(Set.of(), leftRunning(before));
  }

  /** The model is first made while the run is checked, before its directory is made. */
  @Test
  void interruptedWhileTheRunIsCheckedEndsInterruptedBeforeTraining() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    AtomicReference<Thread> fitting = new AtomicReference<>();
    Path run = dir.resolve("checked");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Ended e = fitOnThread(job(run, console).model(new InterruptingLine(1, fitting)).build(), false,
        fitting);
    assertInterrupted(e, run, console.toString(StandardCharsets.UTF_8));
    assertEquals(0, summary(run).path("steps").asLong());
    assertEquals("interrupted before training started", summary(run).path("message").asText());
    assertEquals(Set.of(), leftRunning(before));
  }

  /**
   * Its second making is while the run is checked and its directory made, its third as the
   * actor system starts (the coordinator, not yet spawned, is told when it is).
   */
  @Test
  void interruptedWhileTheActorsStartEndsInterrupted() throws Exception {
    for (int at : new int[] {2, 3}) {
      Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
      AtomicReference<Thread> fitting = new AtomicReference<>();
      Path run = dir.resolve("starting-" + at);
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      Ended e = fitOnThread(job(run, console).model(new InterruptingLine(at, fitting)).build(),
          false, fitting);
      assertInterrupted(e, run, console.toString(StandardCharsets.UTF_8));
      // Never a checkpoint of nothing (stopped before the workers brought the model): the
      // summary's way on works (it left one --resume and --resume-if-exists both refused).
      Path checkpoint = run.resolve(Checkpoints.FILE);
      assertEquals(Files.exists(checkpoint), Checkpoints.holdsState(checkpoint));
      assertEquals(Files.exists(checkpoint) ? "--resume " + run
          : "--resume-if-exists --run-dir " + run, summary(run).path("resume").asText());
      assertEquals(Set.of(), leftRunning(before));
    }
  }

  @Test
  void interruptedWhileItTrainsEndsInterruptedWithItsSteps() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    AtomicReference<Thread> fitting = new AtomicReference<>();
    Path run = dir.resolve("training");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Ended e = fitOnThread(job(run, console).option("--checkpoint-every", "1")
        .onStep(interruptAt(1, fitting)).build(), false, fitting);
    assertInterrupted(e, run, console.toString(StandardCharsets.UTF_8));
    assertTrue(summary(run).path("steps").asLong() >= 1);
    // No signal came: the summary says what did.
    assertEquals("interrupted by a thread interrupt", summary(run).path("message").asText());
    assertEquals(Set.of(), leftRunning(before));
  }

  /** At the last step the run may end first: either ending, never "running". */
  @Test
  void interruptedAsTheRunEndsEndsOneWayOrTheOther() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    AtomicReference<Thread> fitting = new AtomicReference<>();
    Path run = dir.resolve("ending");
    Ended e = fitOnThread(Trainer.builder().steps(5).runDir(run).onStep(interruptAt(4, fitting))
        .build(), false, fitting);
    assertTrue(e.flag());
    String status = summary(run).path("status").asText();
    assertNotEquals("running", status);
    if (e.thrown() != null) {
      assertEquals("interrupted", ((TrainingFailedException) e.thrown()).status());
      assertEquals("interrupted", status);
    } else {
      assertEquals("completed", e.run().status());
    }
    assertEquals(Set.of(), leftRunning(before));
  }

  private static StepListener interruptAt(long step, AtomicReference<Thread> fitting) {
    return s -> {
      if (s.step() == step) {
        fitting.get().interrupt();
      }
    };
  }
}
