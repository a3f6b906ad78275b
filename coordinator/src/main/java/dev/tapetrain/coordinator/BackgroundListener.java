package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.NamedTensor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a listener on a thread of its own, so the coordinator never waits for a step's JSON line,
 * TensorBoard record or console line (a third of a small step's time, measured): step records
 * are queued and the coordinator goes on; every other call ({@link #onCheckpoint},
 * {@link #onFinish}, …) waits until it and everything queued before it have run, so a
 * checkpoint is written after the lines of the steps it commits, and the run's summary after
 * everything. All calls reach the target on that one thread, in the order they were made.
 *
 * <p>A step record that fails (a full disk) is reported by the next call, which throws that
 * exception once instead of running, so the coordinator ends the run as it would have had the
 * write failed at once; the records queued after the failed one are dropped (a log does not go
 * on past a hole), while the calls that end the run still run. At most {@link #CAPACITY}
 * records wait; past that the coordinator waits too.
 *
 * <p>Order of use: {@link #BackgroundListener(TrainingListener)}, hand it to the coordinator,
 * {@link #close()} after the run's summary.
 */
public final class BackgroundListener implements TrainingListener, AutoCloseable {

  /** Step records that may wait for the thread before the coordinator waits as well. */
  static final int CAPACITY = 4096;

  private final TrainingListener target;
  private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final Thread thread;
  // A failed step record not yet reported to the coordinator; and whether any record failed.
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile boolean stepsStopped;
  private volatile boolean closed;

  /** Starts the thread that calls {@code target}. */
  public BackgroundListener(TrainingListener target) {
    this.target = target;
    this.thread = new Thread(this::run, "tapetrain-step-log");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs what is queued; with nothing queued, naps instead of waiting to be signalled, so that
   * queueing a step record never wakes this thread (a wake-up per step cost more than a small
   * step's arithmetic). Naps grow from {@link #MIN_NAP_NANOS} to {@link #MAX_NAP_NANOS} while
   * nothing comes; the calls that wait ({@link #await}) and a full queue wake it at once.
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
      throw new IllegalStateException("interrupted while handing on a step record", e);
    }
  }

  /** Throws, once, what a queued step record threw. */
  private void reportFailure() {
    RuntimeException f = failure.getAndSet(null);
    if (f != null) {
      throw f;
    }
  }

  /**
   * Runs {@code call} on the thread after everything queued, and waits for it; if a step record
   * failed and was not reported yet, throws that instead of running {@code call}.
   */
  private void await(Runnable call) {
    reportFailure();
    if (closed) {
      call.run(); // no thread any more: as a listener without one would
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    enqueue(() -> {
      RuntimeException f = failure.getAndSet(null);
      if (f != null) {
        done.completeExceptionally(f);
        return;
      }
      try {
        call.run();
        done.complete(null);
      } catch (RuntimeException | Error e) {
        done.completeExceptionally(e);
      }
    });
    LockSupport.unpark(thread); // the caller waits: no nap
    try {
      while (true) {
        try {
          done.get(100, TimeUnit.MILLISECONDS);
          break;
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

  @Override
  public void onStep(StepRecord record) {
    reportFailure();
    if (closed) {
      return; // the run was given up on; its log is closed
    }
    enqueue(() -> {
      if (stepsStopped) {
        return;
      }
      try {
        target.onStep(record);
      } catch (RuntimeException e) {
        stepsStopped = true;
        failure.set(e);
      }
    });
  }

  @Override
  public void onWorkerJoined(String worker, int up, int expected) {
    await(() -> target.onWorkerJoined(worker, up, expected));
  }

  @Override
  public void onWorkersReady(List<String> workers) {
    await(() -> target.onWorkersReady(workers));
  }

  @Override
  public void onModel(List<NamedTensor> initialParams, List<String> metrics) {
    await(() -> target.onModel(initialParams, metrics));
  }

  @Override
  public void onInitialLoss(double loss) {
    await(() -> target.onInitialLoss(loss));
  }

  @Override
  public void onResumed(long steps, double loss) {
    await(() -> target.onResumed(steps, loss));
  }

  @Override
  public void onCheckpoint(TrainingState state) {
    await(() -> target.onCheckpoint(state));
  }

  @Override
  public void onNoWorkerLeft(long evaluation, String lastLoss, Duration timeout) {
    await(() -> target.onNoWorkerLeft(evaluation, lastLoss, timeout));
  }

  @Override
  public void onFinish(RunSummary summary) {
    await(() -> target.onFinish(summary));
  }

  /**
   * Runs what is queued, then stops the thread; later step records are dropped and other calls
   * run on the caller's thread. Closing again does nothing.
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
