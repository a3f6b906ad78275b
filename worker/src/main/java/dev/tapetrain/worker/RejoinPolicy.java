package dev.tapetrain.worker;

import dev.tapetrain.protocol.WorkerProtocol.RejoinWindow;
import java.time.Duration;
import java.util.Optional;

/**
 * How long a worker cut off from its coordinator keeps trying to get back into the run, and
 * when it starts a fresh actor system to do so. No Akka; one per process, across its actor
 * systems.
 *
 * <p>The rule (issue 25, item 4): a worker waits for a silent coordinator the longer of its own
 * {@code --coordinator-timeout} and the coordinator's {@link RejoinWindow} (its
 * {@code --rejoin-timeout} plus the time after which it removes an unreachable worker), so that
 * a partition shorter than {@code --rejoin-timeout} never ends a worker, whichever side's timer
 * fires first. A coordinator removes a worker it cannot reach after {@code downAfter}; the
 * removed worker can only come back as a new actor system, and it may never hear that it was
 * removed (the coordinator drops what a removed system sends). So once the coordinator has been
 * silent longer than {@code downAfter} (and a margin: its detection may lag this worker's), the
 * worker starts afresh and keeps joining until its patience runs out.
 *
 * <p>Order of use: {@link #admitted} when the coordinator assigns a shard; {@link #silent} when
 * the coordinator becomes unreachable, {@link #heard} when it is reachable again (or a fresh
 * system joined); {@link #left}, {@link #startAfreshIn} and {@link #joinTimeout} to set timers.
 * Thread-safe: written by one actor system's actors at a time, read by the process's thread.
 */
final class RejoinPolicy {

  /**
   * How much later than this worker the coordinator may notice the partition: a restart before
   * the coordinator removed this worker would throw away its chunks for nothing.
   */
  static final Duration REMOVAL_MARGIN = Duration.ofSeconds(3);
  /** The shortest join attempt worth starting a fresh actor system for. */
  static final Duration MIN_JOIN = Duration.ofSeconds(5);

  private final Duration coordinatorTimeout;
  private volatile RejoinWindow window = RejoinWindow.NONE;
  // Since when (System.nanoTime) the coordinator has been silent; valid while silent is true.
  private volatile long silentSince;
  private volatile boolean silent;

  /** The policy of a worker started with {@code --coordinator-timeout coordinatorTimeout}. */
  RejoinPolicy(Duration coordinatorTimeout) {
    this.coordinatorTimeout = coordinatorTimeout;
  }

  /** The coordinator told this worker its window (at admission). */
  void admitted(RejoinWindow told) {
    window = told;
  }

  /** How long a silent coordinator is waited for in all. */
  Duration patience() {
    return max(coordinatorTimeout, window.rejoinTimeout().plus(window.downAfter()));
  }

  /** The coordinator is unreachable at {@code nowNanos}; the first call of a silence counts. */
  void silent(long nowNanos) {
    if (!silent) {
      silentSince = nowNanos;
      silent = true;
    }
  }

  /** The coordinator is reachable again, or a fresh actor system joined it. */
  void heard() {
    silent = false;
  }

  /** Whether the coordinator is silent (since {@link #silent}, not {@link #heard} since). */
  boolean isSilent() {
    return silent;
  }

  /** How much of the {@link #patience} is left at {@code nowNanos} (all of it if not silent). */
  Duration left(long nowNanos) {
    if (!silent) {
      return patience();
    }
    Duration left = patience().minus(Duration.ofNanos(nowNanos - silentSince));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * When (from {@code nowNanos}) to give up this actor system and join with a fresh one: once
   * the coordinator has surely removed this worker, if enough patience is left then for a join.
   * Empty if the coordinator never said when it removes workers, or if it is too late.
   */
  Optional<Duration> startAfreshIn(long nowNanos) {
    Duration removedBy = window.downAfter().plus(REMOVAL_MARGIN);
    if (window.downAfter().isZero() || patience().minus(removedBy).compareTo(MIN_JOIN) < 0) {
      return Optional.empty();
    }
    Duration in = silent ? removedBy.minus(Duration.ofNanos(nowNanos - silentSince)) : removedBy;
    return Optional.of(in.isNegative() ? Duration.ZERO : in);
  }

  /**
   * How long a fresh actor system (after the first) tries to join: what is left of the patience
   * while the coordinator is silent (at least {@link #MIN_JOIN}); all of it (at least {@code
   * joinTimeout}) for a worker removed while the coordinator answered, since the network may
   * fail again while it restarts.
   */
  Duration joinTimeout(Duration joinTimeout, long nowNanos) {
    return silent ? max(MIN_JOIN, left(nowNanos)) : max(joinTimeout, patience());
  }

  /** Why this worker gives up on {@code coordinator} after its patience ran out. */
  String gaveUp(String coordinator) {
    Duration rejoin = window.rejoinTimeout().plus(window.downAfter());
    if (rejoin.compareTo(coordinatorTimeout) <= 0) {
      return "the coordinator " + coordinator + " was unreachable for "
          + seconds(coordinatorTimeout) + " (--coordinator-timeout)";
    }
    return "the coordinator " + coordinator + " was unreachable for " + seconds(rejoin)
        + " (its --rejoin-timeout " + seconds(window.rejoinTimeout()) + " plus the "
        + seconds(window.downAfter()) + " after which it removes a cut-off worker; longer than "
        + "--coordinator-timeout " + seconds(coordinatorTimeout) + ")";
  }

  /**
   * Why this worker starts afresh once {@code coordinator} was silent for {@link #startAfreshIn}:
   * it cannot tell a coordinator that stopped (killed; maybe resumed in its place, which takes
   * workers anew) from one that removed it, so it says both, not that it was removed.
   */
  String startsAfresh(String coordinator) {
    return "the coordinator " + coordinator + " has been unreachable for "
        + seconds(window.downAfter().plus(REMOVAL_MARGIN)) + ", longer than the "
        + seconds(window.downAfter()) + " after which it removes a worker it cannot reach: it "
        + "stopped, or it removed this worker from its cluster";
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
