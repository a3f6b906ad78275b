package dev.tapetrain.coordinator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The workers up so far while the coordinator waits for {@code --workers} of them. Plain data;
 * the waiting phase holds one and replaces it with each listing.
 *
 * @param <W>   a worker's handle
 * @param seen  the workers up at the last listing
 * @param after why the coordinator waits again: the last member of a start lost while loading,
 *              and why ({@link RecoveryLog#lastLost}); empty at the first start
 */
record Gathering<W>(Set<W> seen, String after) {

  /** Copies the set. */
  Gathering {
    seen = Set.copyOf(seen);
    Objects.requireNonNull(after, "after");
  }

  /** No worker yet. */
  static <W> Gathering<W> none() {
    return new Gathering<>(Set.of(), "");
  }

  /**
   * No worker yet, once more: the start lost its last member ({@code lost}: who, and why) while
   * loading.
   */
  static <W> Gathering<W> again(String lost) {
    return new Gathering<>(Set.of(), lost);
  }

  /** After a listing of the workers {@code up}: who is up now (a worker gone is forgotten). */
  Gathering<W> listed(Collection<W> up) {
    Set<W> now = new HashSet<>(up);
    return new Gathering<>(now, after);
  }

  /** The workers of {@code up} that were not up before, in the listing's order. */
  List<W> newcomers(Collection<W> up) {
    return unknown(up, seen);
  }

  /**
   * Why the run ends when {@code expected} workers did not join within {@code wait}: how many
   * did and, when it waited again, which worker the start lost and why.
   */
  Stop timedOut(int expected, Duration wait) {
    String joined = "only " + seen.size() + " of " + expected + " workers joined within "
        + wait.toSeconds() + " s (--wait-timeout)";
    return Stop.failed(after.isEmpty() ? joined
        : joined + " after no worker was left while loading (" + after + ")");
  }

  /** The workers of {@code listed} not in {@code known}, each once, in the listing's order. */
  static <W> List<W> unknown(Iterable<W> listed, Set<W> known) {
    List<W> out = new ArrayList<>();
    for (W w : listed) {
      if (!known.contains(w) && !out.contains(w)) {
        out.add(w);
      }
    }
    return out;
  }
}
