package dev.tapetrain.worker;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker process's bound on stopping: an actor system whose thread a model holds (an endless
 * loop in the user's code) never terminates, and that thread cannot be stopped (not on JDK 20
 * and later), so once its shutdown has begun and a model holds a worker, the process waits at
 * most {@link #LIMIT}, then says what held it and halts with the job's exit code. An actor system
 * no model holds is left to stop at its own pace (its shutdown phases have their own timeouts).
 *
 * <p>Order of use: {@link #await}; if it returns false, {@link #halt}.
 */
final class ShutdownLimit {

  /**
   * How long an actor system may take to stop once its shutdown began: leaving the cluster
   * takes a second or two; one whose thread a model holds would never stop.
   */
  static final Duration LIMIT = Duration.ofSeconds(5);

  private ShutdownLimit() {}

  /**
   * Waits until {@code system} terminates: false if it began to stop and did not within
   * {@link #LIMIT} while {@code watch} shows a worker held by its model.
   */
  static boolean await(ActorSystem<?> system, ModelWatch watch)
      throws InterruptedException, ExecutionException {
    CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    long stoppingSince = 0;
    while (true) {
      try {
        terminated.get(200, TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException notYet) {
        if (shutdown.getShutdownReason().isEmpty()) {
          continue;
        }
        long now = System.nanoTime();
        if (stoppingSince == 0) {
          stoppingSince = now;
        } else if (now - stoppingSince > LIMIT.toNanos() && watch.longest(1).isPresent()) {
          return false;
        }
      }
    }
  }

  /**
   * Prints one line on {@code err}, why the job ended ({@code why}) and which round the model
   * holds (from {@code watch}), then halts the JVM with {@code code}.
   */
  static void halt(ModelWatch watch, String why, int code, PrintStream err) {
    String held = watch.longest(1).map(h -> heldLine(h, System.nanoTime())).orElse("");
    err.println("worker: " + held + why + "; its actor system did not stop within "
        + LIMIT.toSeconds() + " s (a thread stuck in a model cannot be stopped), so the "
        + "worker exits at once");
    err.flush();
    Runtime.getRuntime().halt(code);
  }

  /**
   * What holds the worker, named as the step log numbers the step ("in step 2"; a round the
   * coordinator did not name, by its number), for {@link #halt}'s line.
   */
  static String heldLine(ModelWatch.Held h, long nowNanos) {
    return "the model has not returned for " + (nowNanos - h.sinceNanos()) / 1_000_000_000
        + " s (" + (h.during().isEmpty() ? "in round " + h.round() : h.during()) + "); ";
  }
}
