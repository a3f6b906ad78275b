package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.spec.RunSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a run's end on a thread outside the actors, and ends the run itself when the
 * coordinator cannot: when a model's code holds every actor thread of this process (a worker in
 * an endless loop on local-runner's single thread) past the step deadline, and when a signal
 * finds the coordinator held (or silent for {@link #SIGNAL_WAIT}). Ending from outside is what
 * {@link RunRecord#finish} does from inside, with the last committed state, the checkpoint on
 * disk, or the state the run reached after it ({@link BackgroundListener#lastReached}, then
 * written as the checkpoint): the summary through the store, {@link TrainingEvent.Finished} to the listeners (the
 * console's last line, the run's future). The actors are never touched: a thread stuck in a
 * model cannot be stopped, so the caller halts the JVM once the status is written
 * ({@link #mustHalt}).
 *
 * <p>Order of use: {@link #await} (or {@link #awaitInterrupted} from a signal's thread); then
 * {@link #mustHalt}.
 */
final class RunWatchdog {

  private static final Logger LOG = LoggerFactory.getLogger(RunWatchdog.class);

  /** How long a signal waits for the coordinator's own end before it writes one itself. */
  static final Duration SIGNAL_WAIT = Duration.ofSeconds(10);
  /** A hold this long when a signal comes means the coordinator cannot answer it. */
  static final Duration HELD_AT_SIGNAL = Duration.ofSeconds(1);

  private final RunSpec spec;
  private final Supplier<Optional<TrainingRun.Held>> held;
  private final BackgroundListener stepLog;
  private final TrainingState start;
  private boolean tookOver;
  /** The run is a caller's (the Java API): the JVM goes on, a held thread is abandoned. */
  private boolean embedded;

  /** Marks the run as one inside a caller's JVM, for the stuck model's message. */
  RunWatchdog embedded() {
    embedded = true;
    return this;
  }

  /**
   * The watchdog of the run of {@code spec} (resumed from {@code start}, null for a new run),
   * whose coordinator tells and keeps through {@code stepLog}; {@code held} says
   * which worker's model holds the actor threads (see {@link TrainingRun.Launcher#held}).
   */
  RunWatchdog(RunSpec spec, Supplier<Optional<TrainingRun.Held>> held,
      BackgroundListener stepLog, TrainingState start) {
    this.spec = spec;
    this.held = held;
    this.stepLog = stepLog;
    this.start = start;
  }

  /**
   * The run's summary once {@code done}; if a model holds the actor threads longer than
   * {@code --step-timeout} first, the run is ended from outside as failed, naming the model and
   * the step.
   */
  RunSummary await(CompletableFuture<RunSummary> done)
      throws InterruptedException, ExecutionException {
    Duration limit = spec.stepTimeout();
    // Often enough to hold the deadline closely, rarely enough to cost nothing.
    long pollMillis = Math.max(10, Math.min(250, limit.toMillis() / 4));
    while (true) {
      try {
        return done.get(pollMillis, TimeUnit.MILLISECONDS);
      } catch (TimeoutException notYet) {
        Optional<TrainingRun.Held> h = heldFor(limit);
        if (h.isPresent()) {
          LOG.debug("worker [{}] held by the model's code in round [{}] for over [{}] ms",
              h.get().worker(), h.get().round(), limit.toMillis());
          takeOver(Stop.modelStuck(spec.model().name(), during(h.get().round()), limit,
              embedded ? "so it is abandoned" : "so the process exits"), done);
        }
      }
    }
  }

  /**
   * After a signal (or an embedded run's caller) told the coordinator to stop: its summary, or
   * one written from outside with {@code stop} (status interrupted) when the coordinator cannot
   * answer (a model holds the actor threads) or does not within {@link #SIGNAL_WAIT}.
   */
  RunSummary awaitInterrupted(CompletableFuture<RunSummary> done, Stop stop)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + SIGNAL_WAIT.toNanos();
    while (true) {
      try {
        return done.get(50, TimeUnit.MILLISECONDS);
      } catch (TimeoutException notYet) {
        if (System.nanoTime() - deadline > 0 || heldFor(HELD_AT_SIGNAL).isPresent()) {
          takeOver(stop, done);
        }
      }
    }
  }

  /**
   * Whether the JVM must halt instead of stopping its actor system: the run was ended from
   * outside, or a model's code still holds the actor threads (they would never stop).
   */
  boolean mustHalt() {
    synchronized (this) {
      if (tookOver) {
        return true;
      }
    }
    return held.get().isPresent();
  }

  private Optional<TrainingRun.Held> heldFor(Duration atLeast) {
    long now = System.nanoTime();
    return held.get().filter(h -> now - h.sinceNanos() >= atLeast.toNanos());
  }

  /** Ends the run for {@code stop} with the last committed state, unless it ended already. */
  private void takeOver(Stop stop, CompletableFuture<RunSummary> done) {
    synchronized (this) {
      if (tookOver || done.isDone()) {
        return;
      }
      tookOver = true;
    }
    stepLog.close(); // what it queued reaches the files first; later calls run on this thread
    TrainingState last = lastCommitted();
    TrainingState reached = stepLog.lastReached();
    if (reached != null && reached.steps() > last.steps()) {
      // Steps done since the last periodic checkpoint: kept, so the run ends (and --resume
      // continues) where the step log ends, not at the checkpoint before it.
      RunStore.Result kept = stepLog.checkpoint(reached);
      if (kept instanceof RunStore.Failed f) {
        LOG.warn("checkpoint not written: {}", f.message());
      } else {
        last = reached;
      }
    }
    RunSummary summary = new RunSummary(stop.status(), last.steps(), spec.steps(),
        last.initialLoss(), last.loss(), last.params(), spec.workers(), 0, stop.detail());
    RunStore.Result written = stepLog.finish(summary);
    if (written instanceof RunStore.Failed f) {
      LOG.warn("summary not written: {}", f.message());
    }
    stepLog.on(new TrainingEvent.Finished(summary));
  }

  /** What round {@code round} was doing, in step numbers, if it is the one the coordinator opened. */
  private String during(long round) {
    BackgroundListener.OpenedRound open = stepLog.lastOpened();
    return open != null && open.round().number() == round
        ? RoundNames.during(open.round(), open.updates()) : "in round " + round;
  }

  /** The last checkpoint written (the store knows it), or the state the run started from. */
  private TrainingState lastCommitted() {
    return stepLog.committed().orElseGet(() -> start != null ? start
        : new TrainingState(0, List.of(), List.of(), 0, Double.NaN, Double.NaN));
  }
}
