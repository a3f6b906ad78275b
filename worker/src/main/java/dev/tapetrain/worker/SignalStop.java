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
   * The hook added here waits until the returned latch is counted down, when the worker has
   * decided how it ends (or a bounded time, should it hang).
   */
  static CountDownLatch holdShutdown() {
    CountDownLatch decided = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        decided.await(ShutdownLimit.LIMIT.toSeconds() + 10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tapetrain-worker-exit"));
    return decided;
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
