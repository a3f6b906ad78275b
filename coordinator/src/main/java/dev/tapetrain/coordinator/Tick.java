package dev.tapetrain.coordinator;

import akka.actor.NoSerializationVerificationNeeded;
import dev.tapetrain.protocol.CoordinatorProtocol.Command;

/**
 * The {@link Coordinator}'s timers, each its own timer key and message (they never leave its
 * JVM): --wait-timeout while waiting, --step-timeout while loading, the stop grace, and when to
 * ask this node's failure detector about suspect members again. A round's deadlines carry the
 * round they were set for ({@link RoundDeadline}, {@link RejoinDeadline}), so one that fires
 * after its round is recognised.
 */
enum Tick implements Command, NoSerializationVerificationNeeded {
  WAIT, LOAD, STOP, RECHECK_SUSPECTS;

  /** --step-timeout of {@code round} ran out (or must be set again for what is left). */
  record RoundDeadline(long round) implements Command, NoSerializationVerificationNeeded {}

  /** --rejoin-timeout of a stall in {@code round} ran out. */
  record RejoinDeadline(long round) implements Command, NoSerializationVerificationNeeded {}
}
