package dev.tapetrain.coordinator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The workers up so far while the coordinator waits for {@code --workers} of them. Plain data;
 * the waiting phase holds one and replaces it with each listing.
 *
 * @param <W>  a worker's handle
 * @param seen the workers up at the last listing
 */
record Gathering<W>(Set<W> seen) {

  /** Copies the set. */
  Gathering {
    seen = Set.copyOf(seen);
  }

  /** No worker yet. */
  static <W> Gathering<W> none() {
    return new Gathering<>(Set.of());
  }

  /** After a listing of the workers {@code up}: who is up now (a worker gone is forgotten). */
  Gathering<W> listed(Collection<W> up) {
    Set<W> now = new HashSet<>(up);
    return new Gathering<>(now);
  }

  /** The workers of {@code up} that were not up before, in the listing's order. */
  List<W> newcomers(Collection<W> up) {
    return unknown(up, seen);
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
