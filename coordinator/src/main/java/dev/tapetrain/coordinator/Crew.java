package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import java.util.List;

/**
 * How the coordinator's plain classes reach its workers: the messages they send, without the
 * actor system ({@link ActorCrew} is the actor's; tests record the calls).
 *
 * @param <W> worker handle
 */
interface Crew<W> {

  /** Has {@code worker} load {@code chunks} and report back; it is watched from now on. */
  void load(W worker, List<Integer> chunks);

  /** Asks {@code worker} for the sums of {@code chunks} in round {@code round}. */
  void ask(W worker, long round, List<Integer> chunks);

  /**
   * Asks {@code worker} for the sums of {@code batch}'s members of {@code chunks} in round
   * {@code round} (null {@code batch}: every sample of them).
   */
  default void ask(W worker, long round, dev.tapetrain.protocol.Batch batch,
      List<Integer> chunks) {
    ask(worker, round, chunks);
  }

  /**
   * The same, telling {@code worker} that at most {@code roundsAhead} rounds like this one
   * follow (0: not said).
   */
  default void ask(W worker, long round, dev.tapetrain.protocol.Batch batch,
      List<Integer> chunks, long roundsAhead) {
    ask(worker, round, batch, chunks);
  }

  /**
   * The same, telling {@code worker} what the round computes as the step log numbers it
   * ({@code during}, {@link RoundNames#during}), for its own messages.
   */
  default void ask(W worker, long round, String during, dev.tapetrain.protocol.Batch batch,
      List<Integer> chunks, long roundsAhead) {
    ask(worker, round, batch, chunks, roundsAhead);
  }

  /** Tells {@code worker} it is done: the run ended with {@code outcome}, or it is out of it. */
  void stop(W worker, Outcome outcome, String detail);

  /** Stops watching {@code worker}: its end is no longer news. */
  void forget(W worker);

  /** The worker's name in logs and step records. */
  String name(W worker);

  /**
   * Whether this coordinator itself still hears {@code worker}'s node (its own failure
   * detector), whatever other nodes report of it. False where only the listing can tell.
   */
  default boolean reaches(W worker) {
    return false;
  }
}
