package dev.tapetrain.worker;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * The throwables of the model failures this JVM's workers reported, by the words that travelled
 * to the coordinator ({@code lossSum threw …}). A run trained inside the caller's JVM (the Java
 * API) hands the model's own exception, with its stack frames, to the caller as the cause of
 * its failure; the messages between the actors stay words, as they must across machines (a
 * remote worker's failure is message-only). Bounded: a worker JVM whose failures nobody takes
 * keeps the last {@value #KEEP}.
 */
public final class LocalModelFailures {

  static final int KEEP = 16;

  private record Failure(String message, Throwable cause) {}

  private static final Deque<Failure> RECENT = new ArrayDeque<>();

  private LocalModelFailures() {}

  /** Remembers that the model's {@code cause} made a worker report {@code message}. */
  static void record(String message, Throwable cause) {
    if (message == null || cause == null) {
      return;
    }
    synchronized (RECENT) {
      RECENT.addFirst(new Failure(message, cause));
      while (RECENT.size() > KEEP) {
        RECENT.removeLast();
      }
    }
  }

  /**
   * The model's throwable behind a run that ended with {@code runMessage} (which quotes the
   * worker's words), the latest if several workers failed alike; every matching one is
   * forgotten.
   */
  public static Optional<Throwable> take(String runMessage) {
    if (runMessage == null) {
      return Optional.empty();
    }
    Throwable found = null;
    synchronized (RECENT) {
      for (Iterator<Failure> it = RECENT.iterator(); it.hasNext(); ) {
        Failure f = it.next();
        if (runMessage.contains(f.message())) {
          if (found == null) {
            found = f.cause();
          }
          it.remove();
        }
      }
    }
    return Optional.ofNullable(found);
  }
}
