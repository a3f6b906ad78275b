package dev.tapetrain.worker;

import akka.actor.CoordinatedShutdown;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A worker stopped by a signal (Ctrl-C, SIGTERM: what Kubernetes sends a pod it deletes) leaves
 * the cluster first, so the coordinator moves its chunks at once; then the process exits with
 * 130, as the coordinator and local-runner do for either signal. The JVM would otherwise end with
 * its own code for SIGTERM (143) and the worker's generic last line.
 */
final class SignalStop {

  /** The exit code of a process stopped by a signal. */
  static final int EXIT_CODE = 130;

  private SignalStop() {
  }

  /**
   * Keeps a signal's JVM shutdown from ending the process before the worker has said how it
   * ended: the shutdown halts with the signal's code as soon as its hooks are done, and Akka's
   * hook is done the moment the actor system stops, racing the worker's own line and exit code.
   * While an actor system runs ({@link Hold#systemUp}), the hook added here waits until the
   * worker has decided how it ends ({@link Hold#decided}, or a bounded time should it hang);
   * with none running (starting, or between two systems: Akka's own hook cannot be added once
   * the JVM is shutting down, so a new system would never hear the signal), it ends the process
   * at once, saying so.
   */
  static Hold holdShutdown(PrintStream err) {
    Hold hold = new Hold();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (hold.decided.getCount() == 0) {
        return; // the worker's own exit (System.exit with its code), not a signal
      }
      if (!hold.systemUp) {
        err.println("worker: stopped by a signal (Ctrl-C or SIGTERM) while not in a cluster");
        err.flush();
        Runtime.getRuntime().halt(EXIT_CODE);
      }
      try {
        hold.decided.await(ShutdownLimit.LIMIT.toSeconds() + 10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tapetrain-worker-exit"));
    return hold;
  }

  /** What the shutdown hook of {@link #holdShutdown} waits for. */
  static final class Hold {
    private final CountDownLatch decided = new CountDownLatch(1);
    /** An actor system runs, its own shutdown hook added: set after it started, cleared after. */
    volatile boolean systemUp;

    /** The worker returns its exit code: a shutdown under way need not wait any longer. */
    void decided() {
      decided.countDown();
    }
  }

  /** Whether the actor system stopped because the JVM is shutting down (a signal). */
  static boolean bySignal(Optional<CoordinatedShutdown.Reason> reason) {
    return reason.isPresent() && reason.get().equals(CoordinatedShutdown.jvmExitReason());
  }

  /**
   * Says so in one line and ends the process with {@link #EXIT_CODE}: by a halt, since the JVM's
   * shutdown is under way (an exit would wait for it and end with the signal's own code).
   */
  static void exit(PrintStream err) {
    err.println("worker: stopped by a signal (Ctrl-C or SIGTERM); it left the cluster, so the "
        + "coordinator moves its chunks to the other workers");
    err.flush();
    System.out.flush();
    Runtime.getRuntime().halt(EXIT_CODE);
  }
}
