package dev.tapetrain.coordinator;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The end of a run as the stopping coordinator keeps it: every worker told how the run ended,
 * those of them not yet stopped, and what a worker that registers only now is told. Plain data;
 * the coordinator's {@code stopping} phase holds one and replaces it as workers stop or come.
 *
 * @param <W>       a worker's handle
 * @param remaining workers told to stop that have not stopped yet
 * @param told      every worker told
 * @param ending    how the run ended, for a latecomer ("completed", "failed: …")
 */
record Farewell<W>(Set<W> remaining, Set<W> told, String ending) {

  /** Copies the sets. */
  Farewell {
    remaining = Set.copyOf(remaining);
    told = Set.copyOf(told);
  }

  /** Those told are the ones to wait for. */
  static <W> Farewell<W> of(Set<W> told, String ending) {
    return new Farewell<>(told, told, ending);
  }

  /** {@code worker} stopped. */
  Farewell<W> stopped(W worker) {
    Set<W> left = new HashSet<>(remaining);
    left.remove(worker);
    return new Farewell<>(left, told, ending);
  }

  /** Whether every worker told has stopped. */
  boolean done() {
    return remaining.isEmpty();
  }

  /** The workers of {@code listed} not told yet, in the listing's order. */
  List<W> newcomers(Iterable<W> listed) {
    return Gathering.unknown(listed, told);
  }

  /** After {@code newcomers} were told too: they are waited for like the others. */
  Farewell<W> alsoTold(List<W> newcomers) {
    Set<W> t = new HashSet<>(told);
    Set<W> r = new HashSet<>(remaining);
    t.addAll(newcomers);
    r.addAll(newcomers);
    return new Farewell<>(r, t, ending);
  }
}
