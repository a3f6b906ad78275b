package dev.tapetrain.coordinator;

import akka.actor.NoSerializationVerificationNeeded;
import dev.tapetrain.protocol.CoordinatorProtocol.Command;

/**
 * Tells the {@link Coordinator} to stop at once: it writes the last committed state and ends
 * with status interrupted. Sent within the coordinator's JVM only (never on the wire).
 */
public enum Interrupt implements Command, NoSerializationVerificationNeeded {
  /** A signal came (Ctrl-C, SIGTERM). */
  SIGNAL,
  /** The caller of an embedded run stopped it (the Java API: its thread was interrupted). */
  THREAD;

  /** How the run ends, with the message summary.json records. */
  Stop stop() {
    return this == SIGNAL ? Stop.interrupted() : Stop.interruptedThread();
  }
}
