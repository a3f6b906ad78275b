package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.WorkerProtocol.Outcome;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who takes part in a run: the members and their chunks ({@link ChunkAssignment}), the workers
 * loading to join, those admitted and waiting for the next round, and those refused for good;
 * and what happens to them, told through the {@link Crew} and kept in the {@link RecoveryLog}.
 *
 * <p>Every worker is admitted the same way, whether it was there at the start or came later
 * ({@link #admit}): it loads its chunks, then its data digest and its model
 * ({@link ModelAgreement}) must agree, or it is refused with one reason. A worker of the start
 * is a member (it owns chunks) while it loads, so its refusal also loses it those chunks and it
 * is told it was dropped; a joiner owns none until a round admits it ({@link #admitReady}) and
 * is told it was refused. A lost member's chunks go to the survivors, who are asked for those
 * the open round still needs. No Akka.
 *
 * <p>Order of use: {@link #start}; then as messages come {@link #listed}, {@link #loaded},
 * {@link #rejected}, {@link #lose}; per round {@link #admitReady} and {@link #askAll};
 * {@link #stopAll} at the end. A start that loses every member while loading (a run that may
 * wait) begins again: {@link #startAgain}, then {@link #start} with workers of
 * {@link #eligible}.
 *
 * @param <W> worker handle
 */
final class WorkerRoster<W> {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerRoster.class);

  /** The answer to a worker that loaded its chunks, or could not. */
  sealed interface Admission permits Admitted, Refused {}

  /** It takes part: a member now, or ({@code joiner}) from the next round on. */
  record Admitted(boolean joiner) implements Admission {}

  /** It is refused for good, for {@code reason}; a {@code member} owned chunks. */
  record Refused(String reason, boolean member) implements Admission {}

  private final DatasetSpec dataset;
  private final ModelAgreement model;
  private final Crew<W> crew;
  private final RecoveryLog recovery;
  private final boolean mayWait;
  private ChunkAssignment<W> assignment;
  // Members still loading the chunks of the start (not admitted yet).
  private final Set<W> loading = new HashSet<>();
  // Not members: loading to join; admitted and waiting for the next round; refused for good.
  private final Set<W> joining = new HashSet<>();
  private final Set<W> ready = new LinkedHashSet<>();
  private final Set<W> refused = new HashSet<>();
  // Members gone from the listing that this coordinator still reaches itself (see listed).
  private final Set<W> suspects = new LinkedHashSet<>();

  /**
   * A roster of workers of {@code dataset} that must agree on {@code model}; {@code mayWait}:
   * a run that loses its last member may wait for another ({@code --rejoin-timeout} above 0:
   * workers can come later) instead of failing, in training and while loading alike.
   */
  WorkerRoster(DatasetSpec dataset, ModelAgreement model, Crew<W> crew, RecoveryLog recovery,
      boolean mayWait) {
    this.dataset = dataset;
    this.model = model;
    this.crew = crew;
    this.recovery = recovery;
    this.mayWait = mayWait;
  }

  /** Makes {@code workers} the members, each loading a contiguous share of the chunks. */
  void start(List<W> workers) {
    assignment = ChunkAssignment.balanced(workers, dataset);
    loading.addAll(workers);
    workers.forEach(w -> crew.load(w, assignment.chunksOf(w)));
  }

  /** Whether a member of the start is still loading. */
  boolean loading() {
    return !loading.isEmpty();
  }

  /** The members of the start still loading. */
  List<W> stillLoading() {
    return List.copyOf(loading);
  }

  /** Whether {@code worker} owns chunks. */
  boolean isMember(W worker) {
    return assignment != null && assignment.contains(worker);
  }

  /** The members, in assignment order. */
  List<W> members() {
    return assignment == null ? List.of() : assignment.workers();
  }

  /** Whether a joiner was admitted and waits for the next round. */
  boolean anyReady() {
    return !ready.isEmpty();
  }

  /**
   * The workers reachable now are {@code up}: the members gone from it are lost (not told: a
   * network blip may bring them back), the new ones (never members, loading, or refused) load
   * the chunks they would take now, to join. {@code open}: the round in progress (null: none).
   *
   * <p>The listing follows the cluster's merged view, where a node is unreachable as soon as
   * any node cannot reach it: when a partition heals, gossip from the nodes that were cut off
   * reports the nodes on the other side unreachable for a moment. So a member gone from the
   * listing that this coordinator still reaches itself ({@link Crew#reaches}) is not lost but
   * suspect: it keeps its chunks and its answers count, and {@link #recheck} loses it once the
   * coordinator's own failure detector agrees (or the round deadline or its removal does).
   *
   * @return why the run ends, if it must
   */
  Optional<Stop> listed(Set<W> up, Evaluation<W> open) {
    suspects.retainAll(members());
    suspects.removeAll(up);
    List<W> gone = new java.util.ArrayList<>();
    for (W w : members()) {
      if (!up.contains(w)) {
        if (crew.reaches(w)) {
          if (suspects.add(w)) {
            LOG.info("worker [{}] reported unreachable by another node; this coordinator still "
                + "reaches it", crew.name(w));
          }
        } else {
          gone.add(w);
        }
      }
    }
    Optional<Stop> stop = loseAll(gone, "left the cluster or became unreachable", true, open);
    if (stop.isPresent() || (open == null && members().isEmpty())) {
      // A start left without members begins again (startAgain): the newcomers are chosen there.
      return stop;
    }
    for (W w : up) {
      if (!isMember(w) && !joining.contains(w) && !ready.contains(w) && !refused.contains(w)) {
        List<Integer> chunks = assignment.preview(w);
        LOG.info("worker [{}] registered during training; loading [{}] chunks", crew.name(w),
            chunks.size());
        joining.add(w);
        crew.load(w, chunks);
      }
    }
    return Optional.empty();
  }

  /** Whether a member is gone from the listing while this coordinator still reaches it. */
  boolean anySuspect() {
    return !suspects.isEmpty();
  }

  /**
   * Loses the suspects ({@link #listed}) this coordinator no longer reaches itself, as the
   * listing would have. {@code open}: the round in progress (null: none).
   *
   * @return why the run ends, if it must
   */
  Optional<Stop> recheck(Evaluation<W> open) {
    suspects.retainAll(members());
    return loseAll(suspects.stream().filter(w -> !crew.reaches(w)).toList(),
        "left the cluster or became unreachable", true, open);
  }

  /**
   * {@code worker} loaded {@code loaded} and reports its data's digest and its model: admitted,
   * or refused for good. Empty if it was not loading (a duplicate or stray answer).
   */
  Optional<Admission> admit(W worker, Collection<Integer> loaded, String dataDigest,
      ModelLayout layout) {
    boolean member = loading.contains(worker);
    if (!member && !joining.contains(worker)) {
      return Optional.empty();
    }
    Optional<String> problem = dataset.digest().equals(dataDigest)
        ? model.disagreement(layout)
        : Optional.of("its data differ from the coordinator's (digest " + dataDigest
            + ", expected " + dataset.digest() + ")");
    if (problem.isPresent()) {
      return Optional.of(refuse(worker, problem.get()));
    }
    assignment.noteHeld(worker, loaded);
    if (member) {
      loading.remove(worker);
      return Optional.of(new Admitted(false));
    }
    joining.remove(worker);
    ready.add(worker);
    return Optional.of(new Admitted(true));
  }

  /**
   * {@code worker} could not load its chunks (or, a member already, chunks moved to it):
   * refused for good. Empty if it is not part of the run.
   */
  Optional<Admission> reject(W worker, String reason) {
    if (loading.contains(worker) || joining.contains(worker) || ready.contains(worker)) {
      return Optional.of(refuse(worker, "it cannot take part: " + reason));
    }
    return isMember(worker) ? Optional.of(refuse(worker, "rejected its shard: " + reason))
        : Optional.empty();
  }

  private Refused refuse(W worker, String reason) {
    refused.add(worker);
    loading.remove(worker);
    joining.remove(worker);
    ready.remove(worker);
    return new Refused(reason, isMember(worker));
  }

  /**
   * Acts on {@link #admit}: a refused worker is told why, a refused member is lost as well
   * ({@link #lose}; {@code open}: the round in progress, null before training).
   *
   * @return why the run ends, if it must
   */
  Optional<Stop> loaded(W worker, Collection<Integer> loaded, String dataDigest,
      ModelLayout layout, Evaluation<W> open) {
    return settle(worker, admit(worker, loaded, dataDigest, layout), open);
  }

  /** Acts on {@link #reject}, as {@link #loaded} does on an admission. */
  Optional<Stop> rejected(W worker, String reason, Evaluation<W> open) {
    return settle(worker, reject(worker, reason), open);
  }

  private Optional<Stop> settle(W worker, Optional<Admission> admission, Evaluation<W> open) {
    if (admission.isEmpty()) {
      recovery.ignored(1);
    } else if (admission.get() instanceof Refused r) {
      LOG.warn("worker [{}] refused: {}", crew.name(worker), r.reason());
      if (r.member()) {
        return lose(worker, r.reason(), false, open);
      }
      crew.forget(worker);
      crew.stop(worker, Outcome.REFUSED, r.reason());
    }
    return Optional.empty();
  }

  /**
   * Takes {@code worker} out of the run, for {@code reason}: a member's chunks go to the
   * survivors (asked for those {@code open} still needs; null: no round is open yet) or, with
   * none left, wait for the next member; a joiner is forgotten. A worker that {@code mayReturn}
   * (it left the reachable listing) is not told: once reachable it joins again.
   *
   * <p>Losing the last member ends the run unless it may wait for another. Then, in training,
   * its chunks wait for the next joiner; while loading ({@code open} null), nothing was computed
   * yet, so the start is made again ({@link #startAgain}), as if the members had never come.
   *
   * @return why the run ends, if it must: the last member lost when the run may not wait
   */
  Optional<Stop> lose(W worker, String reason, boolean mayReturn, Evaluation<W> open) {
    if (isMember(worker) && assignment.workers().size() == 1 && !mayWait) {
      return Optional.of(Stop.failed("no worker left: " + crew.name(worker) + " " + reason));
    }
    loading.remove(worker);
    joining.remove(worker);
    ready.remove(worker);
    suspects.remove(worker);
    if (!isMember(worker)) {
      return Optional.empty();
    }
    long round = open == null ? -1 : open.round();
    if (open != null) {
      LOG.warn("worker [{}] lost in round [{}]: {}", crew.name(worker), round, reason);
    } else if (!refused.contains(worker)) { // a refusal was told once already (settle)
      LOG.warn("worker [{}] lost while loading: {}", crew.name(worker), reason);
    }
    int owned = assignment.chunksOf(worker).size();
    Map<W, List<Integer>> moved = assignment.remove(worker);
    crew.forget(worker);
    if (!mayReturn) {
      crew.stop(worker, Outcome.DROPPED, reason);
    }
    recovery.lost(round, crew.name(worker), reason, owned, System.nanoTime());
    if (open != null) {
      moved.forEach(open::ask);
      open.forget(worker);
    }
    return Optional.empty();
  }

  /**
   * Forgets the failed start, which lost every member while loading: its joiners (loading, or
   * admitted, to join; they may be chosen again) and what the {@link RecoveryLog} kept of it
   * (no round ran, no chunk moved anywhere). Only the refusals stay: {@link #eligible} leaves
   * those workers out. The next {@link #start} is a new one.
   */
  void startAgain() {
    if (!members().isEmpty()) {
      throw new IllegalStateException("a start with members is not over: " + members());
    }
    joining.forEach(crew::forget);
    ready.forEach(crew::forget);
    joining.clear();
    ready.clear();
    suspects.clear();
    assignment = null;
    recovery.drain();
  }

  /**
   * The workers of {@code up} that may take part: all but those refused for good (a refused
   * worker is still listed until its stop reaches it, or, in a test, for ever).
   */
  Set<W> eligible(Set<W> up) {
    if (refused.isEmpty()) {
      return up;
    }
    Set<W> out = new LinkedHashSet<>(up);
    out.removeAll(refused);
    return out;
  }

  /** Loses each of {@code workers} ({@link #lose}), until the run must end. */
  Optional<Stop> loseAll(Collection<W> workers, String reason, boolean mayReturn,
      Evaluation<W> open) {
    for (W w : workers) {
      Optional<Stop> stop = lose(w, reason, mayReturn, open);
      if (stop.isPresent()) {
        return stop;
      }
    }
    return Optional.empty();
  }

  /**
   * Makes the admitted joiners members in round {@code round}, in the order they were admitted:
   * each takes the chunks left without an owner, then from the most loaded members.
   * {@code waitedNanos}: how long the run had had no member (0 if it had some).
   */
  void admitReady(long round, long waitedNanos) {
    for (W w : ready) {
      List<Integer> chunks = assignment.add(w);
      if (waitedNanos == 0) {
        LOG.info("worker [{}] joined in round [{}] with [{}] chunks", crew.name(w), round,
            chunks.size());
      } else {
        LOG.info("worker [{}] took over in round [{}] after [{}] ms without workers",
            crew.name(w), round, waitedNanos / 1_000_000);
      }
      recovery.joined(round, crew.name(w), chunks.size(), waitedNanos);
    }
    ready.clear();
  }

  /** Asks every member for its chunks that {@code open} still needs. */
  void askAll(Evaluation<W> open) {
    for (W w : assignment.workers()) {
      open.ask(w, assignment.chunksOf(w));
    }
  }

  /**
   * Tells everyone still taking part or about to (members, joiners) that the run ended with
   * {@code outcome}.
   *
   * @return who was told
   */
  Set<W> stopAll(Outcome outcome, String detail) {
    Set<W> all = new LinkedHashSet<>(members());
    all.addAll(joining);
    all.addAll(ready);
    all.forEach(w -> crew.stop(w, outcome, detail));
    return all;
  }
}
