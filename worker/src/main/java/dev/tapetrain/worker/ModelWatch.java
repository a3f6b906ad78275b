package dev.tapetrain.worker;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where the workers of one JVM note when they enter and leave a round's evaluation (the model's
 * code), so that a thread of its own can see a worker the model holds and never returns: a
 * thread stuck in a user's loop cannot be stopped (not on JDK 20 and later), and on
 * local-runner's single actor thread it also holds back the coordinator and its step deadline.
 * Only a watchdog outside the actors can end such a run.
 *
 * <p>Each worker writes only its own {@link Slot}: a plain and a volatile store per round,
 * nothing a step notices. Readers ({@link #longest}) may see a round that just ended as still
 * running for a moment, never a stuck one as idle.
 */
public final class ModelWatch {

  /** A watch nobody reads (a worker process, tests): its slots are written and never looked at. */
  public static final ModelWatch NONE = new ModelWatch();

  /**
   * A worker held by the model: its name, the round, what the round computes as the step log
   * numbers it ({@code during}, e.g. "in step 2"), and since when ({@link System#nanoTime}).
   */
  public record Held(String worker, long round, String during, long sinceNanos) {}

  private final List<Slot> slots = new CopyOnWriteArrayList<>();

  /** A new slot for the worker named {@code worker}. */
  public Slot slot(String worker) {
    Slot s = new Slot(worker);
    if (this != NONE) {
      slots.add(s);
    }
    return s;
  }

  /**
   * The worker held longest by its round's evaluation right now, if at least {@code busy}
   * workers are held (e.g. as many as there are actor threads: then nothing else can run).
   */
  public Optional<Held> longest(int busy) {
    Held longest = null;
    int held = 0;
    for (Slot s : slots) {
      long since = s.since; // volatile read first: it publishes the round written before it
      if (since != 0) {
        held++;
        if (longest == null || since - longest.sinceNanos() < 0) {
          longest = new Held(s.worker, s.round, s.during, since);
        }
      }
    }
    return held >= busy ? Optional.ofNullable(longest) : Optional.empty();
  }

  /** One worker's note: the round it evaluates and since when; 0: none. */
  public static final class Slot {
    private final String worker;
    private long round;
    private String during = "";
    private volatile long since;

    private Slot(String worker) {
      this.worker = worker;
    }

    /**
     * The worker starts evaluating {@code round}, which computes what {@code during} says, at
     * {@code nowNanos}.
     */
    void enter(long round, String during, long nowNanos) {
      this.round = round;
      this.during = during;
      // 0 means idle; a clock that reads exactly 0 is taken for 1 ns later.
      this.since = nowNanos == 0 ? 1 : nowNanos;
    }

    /** The evaluation returned (or threw). */
    void leave() {
      since = 0;
    }
  }
}
