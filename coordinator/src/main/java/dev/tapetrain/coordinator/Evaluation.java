package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.Batch;
import dev.tapetrain.protocol.ChunkRows;
import dev.tapetrain.protocol.ChunkRuns;
import dev.tapetrain.protocol.ChunkTree;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bookkeeping of one round's evaluation (its {@code ComputeGradients}): which chunks are in
 * it, which worker was asked for each, which results arrived, and each worker's share. Accepts a
 * result only from the worker that was asked for that chunk, once.
 *
 * @param <W> worker handle
 */
final class Evaluation<W> {

  /** One worker's part of a round: chunks and samples asked, compute time reported. */
  record Share(int chunks, long samples, long computeNanos) {}


  private final DatasetSpec dataset;
  // Per chunk: whether its result arrived (alone or inside a node of the chunk tree).
  private final boolean[] received;
  private final Map<Long, ChunkResult> results = new java.util.HashMap<>();
  private final Object[] askedFrom;
  private final boolean[] inBatch;
  private final long batchSamples;
  private int missing;
  private final Map<W, Share> shares = new LinkedHashMap<>();
  private final long round;
  private final long roundsAhead;
  // What the round computes as the step log numbers it, told to each worker asked.
  private final String during;
  private final Crew<W> crew;
  // The mini-batch of the round (null: whole chunks) and each chunk's samples in the round.
  private final Batch miniBatch;
  private final int[] length;

  /** An evaluation of the chunks in {@code batch} that only records what it is asked. */
  Evaluation(DatasetSpec dataset, List<Integer> batch) {
    this(dataset, -1, batch, null);
  }

  /** The evaluation of {@code round}, whose requests {@link #ask} sends through {@code crew}. */
  Evaluation(DatasetSpec dataset, Round round, Crew<W> crew) {
    this(dataset, round, 0, crew);
  }

  /**
   * The same, telling each worker asked that {@code roundsAhead} rounds like it follow
   * ({@link RoundPlan#roundsAhead}).
   */
  Evaluation(DatasetSpec dataset, Round round, long roundsAhead, Crew<W> crew) {
    this(dataset, round, roundsAhead, "", crew);
  }

  /**
   * The same, telling each worker asked what the round computes, {@code during}
   * ({@link RoundNames#during}; empty: not said).
   */
  Evaluation(DatasetSpec dataset, Round round, long roundsAhead, String during, Crew<W> crew) {
    this(dataset, round.number(), round.chunks(), crew, round.batch(), round.counts(),
        roundsAhead, during);
  }

  private Evaluation(DatasetSpec dataset, long round, List<Integer> batch, Crew<W> crew) {
    this(dataset, round, batch, crew, null, List.of(), 0, "");
  }

  private Evaluation(DatasetSpec dataset, long round, List<Integer> batch, Crew<W> crew,
      Batch miniBatch, List<Integer> counts, long roundsAhead, String during) {
    this.dataset = dataset;
    this.round = round;
    this.roundsAhead = roundsAhead;
    this.during = during;
    this.crew = crew;
    this.miniBatch = miniBatch;
    int chunks = dataset.numChunks();
    this.received = new boolean[chunks];
    this.askedFrom = new Object[chunks];
    this.inBatch = new boolean[chunks];
    this.length = new int[chunks];
    long samples = 0;
    for (int i = 0; i < batch.size(); i++) {
      int c = batch.get(i);
      inBatch[c] = true;
      // A mini-batch's chunk answers for its members only.
      length[c] = miniBatch == null ? dataset.chunkLength(c) : counts.get(i);
      samples += length[c];
    }
    this.batchSamples = samples;
    this.missing = batch.size();
  }

  /** The chunks of {@code chunks} that are in this evaluation and have no result yet. */
  List<Integer> stillNeeded(List<Integer> chunks) {
    ChunkRuns runs = ChunkRuns.of(chunks);
    int needed = 0;
    for (int r = 0; r < runs.runCount(); r++) {
      for (int c = runs.first(r), end = c + runs.count(r); c < end; c++) {
        if (inBatch[c] && !received[c]) {
          needed++;
        }
      }
    }
    if (needed == runs.size()) {
      return runs; // the usual case: the same list every round, so a worker sees it unchanged
    }
    int[] out = new int[needed];
    int i = 0;
    for (int r = 0; r < runs.runCount(); r++) {
      for (int c = runs.first(r), end = c + runs.count(r); c < end; c++) {
        if (inBatch[c] && !received[c]) {
          out[i++] = c;
        }
      }
    }
    return ChunkRuns.ofIds(out);
  }

  /**
   * Asks {@code worker} for those of {@code chunks} this evaluation still needs (sends nothing if
   * none), and records it.
   */
  void ask(W worker, List<Integer> chunks) {
    List<Integer> needed = stillNeeded(chunks);
    asked(worker, needed);
    if (!needed.isEmpty() && crew != null) {
      crew.ask(worker, round, during, miniBatch, needed, roundsAhead);
    }
  }

  /** The number of the round this evaluates. */
  long round() {
    return round;
  }

  /**
   * Takes an answer of {@code worker}: its {@code results} at {@code params} (each accepted or
   * dropped, see {@link #accept}) and its compute time.
   *
   * @return how many results were dropped
   */
  int answered(W worker, List<ChunkResult> results, long computeNanos,
      List<NamedTensor> params) {
    int dropped = 0;
    for (ChunkResult r : results) {
      if (!accept(worker, r, params)) {
        dropped++;
      }
    }
    computed(worker, computeNanos);
    return dropped;
  }

  /** Records that {@code worker} was asked for {@code chunks}. */
  void asked(W worker, List<Integer> chunks) {
    ChunkRuns runs = ChunkRuns.of(chunks);
    long samples = 0;
    for (int r = 0; r < runs.runCount(); r++) {
      for (int c = runs.first(r), end = c + runs.count(r); c < end; c++) {
        askedFrom[c] = worker;
        samples += length[c];
      }
    }
    Share was = shares.getOrDefault(worker, new Share(0, 0, 0));
    shares.put(worker, new Share(was.chunks() + runs.size(), was.samples() + samples,
        was.computeNanos()));
  }

  /**
   * Accepts {@code result} from {@code worker} — one chunk, or an aligned node of the chunk tree
   * covering {@code span} chunks — if each chunk it covers that is in this evaluation (at least
   * one) was asked of that worker and has no result yet, its sample count is theirs, and its
   * gradients fit {@code params}. A node's chunks outside this evaluation (a mini-batch touches
   * few) drop out of its sum as they drop out of the coordinator's ({@link ChunkTree#sum}), so
   * a worker may pre-add across them ({@link ChunkTree#aggregate(ChunkRows, int,
   * java.util.NavigableSet)}).
   *
   * @return whether it was accepted (otherwise the caller counts it as dropped)
   */
  boolean accept(W worker, ChunkResult result, List<NamedTensor> params) {
    int lo = result.chunk();
    int span = result.span();
    // (A result's range is an aligned power of two by construction: ChunkResult checks it.)
    if (lo < 0 || lo >= received.length || StepReduction.mismatch(result, params) != null) {
      return false;
    }
    int end = (int) Math.min((long) lo + span, received.length);
    // askedFrom holds the handle asked() was given, one object for all of a request's chunks, so
    // after one equals the span compares identities: a remote answer's handle is a new object in
    // every message, and its equals walks two actor paths.
    Object asker = null;
    long samples = 0;
    int covered = 0;
    for (int c = lo; c < end; c++) {
      if (!inBatch[c]) {
        continue;
      }
      Object a = askedFrom[c];
      if (asker == null) {
        if (a == null || (a != worker && !worker.equals(a))) {
          return false;
        }
        asker = a;
      } else if (a != asker && !worker.equals(a)) {
        return false;
      }
      if (received[c]) {
        return false;
      }
      samples += length[c];
      covered++;
    }
    if (covered == 0 || result.count() != samples
        || (!results.isEmpty() && results.values().iterator().next().metricSums().size()
            != result.metricSums().size())) {
      return false;
    }
    for (int c = lo; c < end; c++) {
      if (inBatch[c]) {
        received[c] = true;
      }
    }
    missing -= covered;
    results.put(ChunkTree.key(lo, span), result);
    return true;
  }

  /** Adds compute time reported by {@code worker}. */
  void computed(W worker, long nanos) {
    shares.computeIfPresent(worker,
        (w, s) -> new Share(s.chunks(), s.samples(), s.computeNanos() + nanos));
  }

  /** Whether every chunk of the batch has its result. */
  boolean complete() {
    return missing == 0;
  }

  /** The workers that still owe a result. */
  Set<W> late() {
    Set<W> out = new LinkedHashSet<>();
    for (int c = 0; c < received.length; c++) {
      if (inBatch[c] && !received[c]) {
        @SuppressWarnings("unchecked")
        W w = (W) askedFrom[c];
        out.add(w);
      }
    }
    return out;
  }

  /** Forgets the share of a lost worker. */
  void forget(W worker) {
    shares.remove(worker);
  }

  /** The reduced totals; only once {@link #complete()}. */
  StepReduction.Totals reduce(List<NamedTensor> params) {
    return StepReduction.reduce(results, received.length, params, batchSamples);
  }

  /** Each worker's share, in the order they were asked, named by {@code name}. */
  List<StepRecord.WorkerShare> shares(java.util.function.Function<W, String> name) {
    List<StepRecord.WorkerShare> out = new java.util.ArrayList<>(shares.size());
    shares.forEach((w, s) -> out.add(
        new StepRecord.WorkerShare(name.apply(w), s.chunks(), s.samples(), s.computeNanos())));
    return out;
  }
}
