package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.StepRecord.Reassignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery bookkeeping of a run, between two step records: which workers were lost or
 * joined and how many chunks moved, how long each loss took to recover (from its detection to
 * the completion of the round it hit), and how many answers were dropped (late, from a worker
 * no longer counted on, for chunks not asked); and a run left without any worker: since when,
 * and why. No Akka.
 *
 * <p>Order of use: {@link #lost}, {@link #joined}, {@link #ignored} as they happen;
 * {@link #roundCompleted} when a round completes; {@link #drain} when a step is recorded;
 * {@link #stalled} when no worker is left, then {@link #unstalled} or {@link #noneCameBack}.
 */
final class RecoveryLog {

  private static final Logger LOG = LoggerFactory.getLogger(RecoveryLog.class);

  /** What happened since the last step record. */
  record Since(List<Reassignment> events, long ignored) {}

  private final List<Reassignment> events = new ArrayList<>();
  // Losses whose round has not completed yet: their index in events, and when each was seen.
  private final List<Integer> recovering = new ArrayList<>();
  private final List<Long> lostAtNanos = new ArrayList<>();
  private long ignored;
  private String lastLost = "";
  // A run left without workers: in which round, since when, for how long at most.
  private boolean stalled;
  private long stalledRound;
  private long stalledSinceNanos;
  private Duration stallLimit = Duration.ZERO;

  /** A worker was lost in {@code round} at {@code atNanos}; {@code chunksMoved} of its chunks. */
  void lost(long round, String worker, String reason, int chunksMoved, long atNanos) {
    lastLost = worker + " " + reason;
    recovering.add(events.size());
    lostAtNanos.add(atNanos);
    events.add(new Reassignment(round, worker, reason, chunksMoved, 0));
  }

  /**
   * A worker joined in {@code round} and took {@code chunks}; {@code waitedNanos}: how long the
   * run had been without any worker (0 if it had some).
   */
  void joined(long round, String worker, int chunks, long waitedNanos) {
    events.add(new Reassignment(round, worker, "joined", chunks, waitedNanos));
  }

  /** {@code results} chunk results were dropped. */
  void ignored(long results) {
    ignored += results;
  }

  /** The round in progress completed at {@code nanos}: every loss in it has recovered. */
  void roundCompleted(long nanos) {
    for (int i = 0; i < recovering.size(); i++) {
      Reassignment r = events.get(recovering.get(i));
      events.set(recovering.get(i), new Reassignment(r.round(), r.worker(), r.reason(),
          r.chunksMoved(), nanos - lostAtNanos.get(i)));
    }
    recovering.clear();
    lostAtNanos.clear();
  }

  /** The last worker lost and why (empty if none was). */
  String lastLost() {
    return lastLost;
  }

  /**
   * The run has no worker left in {@code round} at {@code nanos} and waits up to {@code limit}
   * for one to come back or join.
   *
   * @return the event that says so
   */
  TrainingEvent.NoWorkerLeft stalled(long round, Duration limit, long nanos) {
    stalled = true;
    stalledRound = round;
    stalledSinceNanos = nanos;
    stallLimit = limit;
    LOG.warn("no worker left in round [{}]: waiting up to [{}] s for one to come back or join "
        + "(--rejoin-timeout)", round, limit.toSeconds());
    return new TrainingEvent.NoWorkerLeft(round, lastLost, limit);
  }

  /** A worker came at {@code nanos}: how long the run was without one (0 if it was not). */
  long unstalled(long nanos) {
    long waited = stalled ? nanos - stalledSinceNanos : 0;
    stalled = false;
    return waited;
  }

  /** Why the run ends when no worker came within the limit. */
  Stop noneCameBack() {
    return Stop.failed("no worker left at step " + stalledRound + " (" + lastLost
        + "), and none came back within " + stallLimit.toSeconds() + " s (--rejoin-timeout)");
  }

  /** What happened since the last call; the log starts empty again. */
  Since drain() {
    Since since = new Since(List.copyOf(events), ignored);
    events.clear();
    recovering.clear();
    lostAtNanos.clear();
    ignored = 0;
    return since;
  }
}
