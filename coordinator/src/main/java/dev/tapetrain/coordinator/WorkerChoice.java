package dev.tapetrain.coordinator;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Which workers a run starts with, and what is told while the coordinator waits for them: the
 * waiting phase hands each listing to {@link #listed} with the {@link Gathering} it holds and
 * goes on with the one returned, until enough workers are up and training starts with the
 * {@link Listing#chosen} ones; the loading phase loses a worker of the start still loading at
 * {@code --step-timeout} ({@link #lateLoading}) and training starts with those admitted
 * ({@link #ready}); a start that lost every worker while loading waits again
 * ({@link #waitingAgain}). The coordinator acts on the answers (timers, the
 * {@link WorkerRoster}, events); this class decides. No Akka.
 *
 * <p>The workers it is given are those that may take part ({@link WorkerRoster#eligible}: the
 * refused are left out before).
 *
 * @param <W> a worker's handle
 */
final class WorkerChoice<W> {

  /**
   * What one listing changes while the coordinator waits.
   *
   * @param waiting the waiting phase's record after it
   * @param joined  the workers up for the first time since the last listing (or back after they
   *                went away), each told with how many are up with it, in the listing's order
   * @param chosen  the workers training starts with, once enough are up; empty until then
   */
  record Listing<W>(Gathering<W> waiting, List<TrainingEvent.WorkerJoined> joined,
      List<W> chosen) {

    /** Copies the lists. */
    Listing {
      Objects.requireNonNull(waiting, "waiting");
      joined = List.copyOf(joined);
      chosen = List.copyOf(chosen);
    }

    /** Whether enough workers are up: the waiting is over. */
    boolean enough() {
      return !chosen.isEmpty();
    }
  }

  private final int expected;
  private final Duration waitTimeout;
  private final Duration loadTimeout;
  private final Function<W, String> name;

  /**
   * The choice of {@code expected} workers (at least 1), waited for up to {@code waitTimeout}
   * ({@code --wait-timeout}), given {@code loadTimeout} ({@code --step-timeout}) to load their
   * chunks; {@code name}: a worker's name in events and logs, which also orders the choice.
   */
  WorkerChoice(int expected, Duration waitTimeout, Duration loadTimeout,
      Function<W, String> name) {
    if (expected < 1) {
      throw new IllegalArgumentException("a run needs at least 1 worker, got " + expected);
    }
    this.expected = expected;
    this.waitTimeout = waitTimeout;
    this.loadTimeout = loadTimeout;
    this.name = name;
  }

  /**
   * After a listing while waiting ({@code phase}): the workers {@code up} now that may take
   * part. Once {@code expected} are up, the first {@code expected} by name are chosen: a stable
   * order, so the assignment (and the logs) do not depend on the order of the listing.
   */
  Listing<W> listed(Gathering<W> phase, Set<W> up) {
    // Numbered from those still up of the last listing: one that went away and came back
    // counts again.
    int count = (int) phase.seen().stream().filter(up::contains).count();
    List<TrainingEvent.WorkerJoined> joined = new java.util.ArrayList<>();
    for (W w : phase.newcomers(up)) {
      joined.add(new TrainingEvent.WorkerJoined(name.apply(w), ++count, expected));
    }
    List<W> chosen = up.size() < expected ? List.of()
        : up.stream().sorted(Comparator.comparing(name)).limit(expected).toList();
    return new Listing<>(phase.listed(up), joined, chosen);
  }

  /** Why the run ends when --wait-timeout runs out while it waits ({@code phase}). */
  Stop timedOut(Gathering<W> phase) {
    return phase.timedOut(expected, waitTimeout);
  }

  /** Why a worker of the start still loading when --step-timeout runs out is lost. */
  String lateLoading() {
    return "did not load its shard within " + loadTimeout.toMillis() + " ms";
  }

  /**
   * What is told as training starts with the {@code admitted} workers of the start: those only,
   * as a worker chosen but refused while loading never took part.
   */
  TrainingEvent.WorkersReady ready(List<W> admitted) {
    return new TrainingEvent.WorkersReady(admitted.stream().map(name).toList());
  }

  /**
   * What is told when the start lost every worker while loading, the last one being {@code
   * lost} (who, and why): it waits for {@code expected} workers again, a whole --wait-timeout.
   * The waiting phase then starts from {@link Gathering#again}.
   */
  TrainingEvent.WaitingAgain waitingAgain(String lost) {
    return new TrainingEvent.WaitingAgain(lost, expected, waitTimeout);
  }
}
