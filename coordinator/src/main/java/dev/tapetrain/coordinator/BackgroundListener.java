package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunStore.Failed;
import dev.tapetrain.coordinator.RunStore.Result;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Runs a listener and a store on a thread of their own, so the coordinator never waits for a
 * step's JSON line, TensorBoard record or console line (a third of a small step's time,
 * measured): {@link TrainingEvent.Step}s and {@link #checkpointLater} are queued and the
 * coordinator goes on; every other call ({@link #checkpoint}, {@link #finish}, the other
 * events) waits until it and everything queued before it have run. Either way a checkpoint is
 * written after the lines of the steps it commits, and the run's summary after everything. All
 * calls reach the targets on that one thread, in the order they were made.
 *
 * <p>A step or queued checkpoint that fails (a full disk) is reported by the next call to the
 * store, once: that call's result is the failure, and a checkpoint or record that reports it
 * does not run, so the coordinator ends the run as it would have had the write failed at once;
 * the steps queued after the failed one are dropped (a log does not go on past a hole), while
 * {@link #finish} always runs. At most {@link #CAPACITY} tasks wait; past that the coordinator
 * waits too.
 *
 * <p>Order of use: {@link #BackgroundListener(TrainingListener, RunStore)}, hand it to the
 * coordinator as its listener and its store, {@link #close()} after the run's summary.
 */
public final class BackgroundListener implements TrainingListener, RunStore, AutoCloseable {

  /** Tasks that may wait for the thread before the coordinator waits as well. */
  static final int CAPACITY = 4096;

  private final TrainingListener listener;
  private final RunStore store;
  private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final Thread thread;
  // A failed step not yet reported to the coordinator; and whether any step failed.
  private final AtomicReference<Failed> failure = new AtomicReference<>();
  private volatile boolean stepsStopped;
  // The last state the run reached (RunStore.reached), for a run ended from outside.
  private volatile TrainingState reached;
  // The round in progress and the updates before it (RunStore.opened), for the same.
  private volatile OpenedRound opened;

  /** A round as {@link #opened} was told it. */
  record OpenedRound(Round round, long updates) {}
  private volatile boolean closed;

  /** Starts the thread that calls {@code listener} and {@code store}. */
  public BackgroundListener(TrainingListener listener, RunStore store) {
    this.listener = listener;
    this.store = store;
    this.thread = new Thread(this::run, "tapetrain-step-log");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs what is queued; with nothing queued, naps instead of waiting to be signalled, so that
   * queueing a step never wakes this thread (a wake-up per step cost more than a small step's
   * arithmetic). Naps grow from {@link #MIN_NAP_NANOS} to {@link #MAX_NAP_NANOS} while nothing
   * comes; the calls that wait ({@link #await}) and a full queue wake it at once.
   */
  private void run() {
    long nap = MIN_NAP_NANOS;
    while (!closed || !queue.isEmpty()) {
      Runnable task = queue.poll();
      if (task != null) {
        task.run();
        nap = MIN_NAP_NANOS;
      } else {
        LockSupport.parkNanos(this, nap);
        nap = Math.min(2 * nap, MAX_NAP_NANOS);
      }
    }
  }

  /** The shortest nap of the thread with nothing queued: how late a step's line may be. */
  static final long MIN_NAP_NANOS = 1_000_000;
  /** The longest nap, reached after a while with nothing queued. */
  static final long MAX_NAP_NANOS = 50_000_000;

  private void enqueue(Runnable task) {
    if (queue.offer(task)) {
      return;
    }
    LockSupport.unpark(thread); // full: have it drain now, and wait for room
    try {
      queue.put(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while handing on a step", e);
    }
  }

  /** Queues a step's task; after a failed one, none runs (a log does not go on past a hole). */
  private void enqueueStep(Supplier<Result> task) {
    if (closed) {
      return; // the run was given up on; its log is closed
    }
    enqueue(() -> {
      if (stepsStopped) {
        return;
      }
      Result r;
      try {
        r = task.get();
      } catch (RuntimeException e) {
        r = new Failed(e.getMessage() != null ? e.getMessage() : e.toString());
      }
      if (r instanceof Failed f) {
        stepsStopped = true;
        failure.set(f);
      }
    });
  }

  /**
   * Runs {@code call} on the thread after everything queued, and waits for its value (on the
   * caller's thread once closed).
   */
  private <T> T await(Supplier<T> call) {
    if (closed) {
      return call.get(); // no thread any more: as a store without one would
    }
    CompletableFuture<T> done = new CompletableFuture<>();
    enqueue(() -> {
      try {
        done.complete(call.get());
      } catch (RuntimeException | Error e) {
        done.completeExceptionally(e);
      }
    });
    LockSupport.unpark(thread); // the caller waits: no nap
    try {
      while (true) {
        try {
          return done.get(100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException notYet) {
          if (!thread.isAlive()) { // closed meanwhile: run what it left here
            for (Runnable task = queue.poll(); task != null; task = queue.poll()) {
              task.run();
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the step log", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw (Error) e.getCause();
    }
  }

  /**
   * Runs a store call after everything queued. A failed step not reported yet is its result
   * instead, once, and the call does not run; unless {@code always} (the summary), which runs
   * anyway and reports its own failure first.
   */
  private Result awaitStore(Supplier<Result> call, boolean always) {
    Failed earlier = failure.getAndSet(null);
    if (earlier != null && !always) {
      return earlier;
    }
    Result own = await(() -> {
      Failed meanwhile = failure.getAndSet(null);
      if (meanwhile != null && !always) {
        return meanwhile;
      }
      Result r = call.get();
      return r instanceof Failed || meanwhile == null ? r : meanwhile;
    });
    return own instanceof Failed || earlier == null ? own : earlier;
  }

  /**
   * Closes this listener for good: later events are dropped and later store calls fail without
   * touching the run. For a run ended from outside whose actors live on (the Java API abandons a
   * thread held by a model): if the model returns, its coordinator must not write into a run
   * that is over.
   */
  public void seal() {
    sealed = true;
    close();
  }

  private volatile boolean sealed;

  private static final Failed SEALED = new Failed("the run was ended from outside");

  @Override
  public void on(TrainingEvent event) {
    if (sealed) {
      return;
    }
    if (event instanceof TrainingEvent.Step) {
      enqueueStep(() -> {
        listener.on(event);
        return RunStore.OK;
      });
    } else {
      await(() -> {
        listener.on(event);
        return null;
      });
    }
  }

  @Override
  public Result record(TrainingEvent event) {
    if (sealed) {
      return SEALED;
    }
    if (event instanceof TrainingEvent.Step) {
      Failed earlier = failure.getAndSet(null);
      enqueueStep(() -> store.record(event));
      return earlier != null ? earlier : RunStore.OK;
    }
    return awaitStore(() -> store.record(event), false);
  }

  @Override
  public void reached(TrainingState state) {
    reached = state;
    store.reached(state);
  }

  @Override
  public void opened(Round round, long updates) {
    opened = new OpenedRound(round, updates);
  }

  /** The last round told by {@link #opened}, or null if none was. */
  public OpenedRound lastOpened() {
    return opened;
  }

  /** The last state told by {@link #reached}, or null if none was. */
  public TrainingState lastReached() {
    return reached;
  }

  /**
   * Writes {@code state} after everything queued. Not after a write of the log failed: the lines
   * after that hole were dropped, and a checkpoint past them would make a resume continue from
   * steps the log never held (a run whose periodic checkpoint hit a full disk went on for steps
   * until it learned so, and its final checkpoint, written once the disk had room again,
   * skipped them); the checkpoint before the hole is kept.
   */
  @Override
  public Result checkpoint(TrainingState state) {
    if (sealed) {
      return SEALED;
    }
    return awaitStore(() -> stepsStopped ? PAST_HOLE : store.checkpoint(state), false);
  }

  @Override
  public java.util.Optional<TrainingState> committed() {
    return sealed ? java.util.Optional.empty() : await(store::committed);
  }

  private static final Failed PAST_HOLE = new Failed("the step log stopped at a failed write; "
      + "the checkpoint before it is kept");

  /**
   * Queues the checkpoint like a step: the coordinator goes on while the thread writes it after
   * the lines queued before it (a checkpoint's files are synced, tens of milliseconds on a busy
   * disk, every --checkpoint-every updates). A failure is reported by the next call, once.
   */
  @Override
  public Result checkpointLater(TrainingState state) {
    if (sealed) {
      return SEALED;
    }
    Failed earlier = failure.getAndSet(null);
    enqueueStep(() -> store.checkpoint(state));
    return earlier != null ? earlier : RunStore.OK;
  }

  @Override
  public Result finish(RunSummary summary) {
    if (sealed) {
      return SEALED;
    }
    return awaitStore(() -> store.finish(summary), true);
  }

  /**
   * Runs what is queued, then stops the thread; later steps are dropped and other calls run on
   * the caller's thread. Closing again does nothing.
   */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
