package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.ChunkRuns;
import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which worker owns which chunks. Every chunk has exactly one owner.
 *
 * <p>The initial assignment gives each worker a contiguous block of chunks with close to N/W
 * samples (a chunk goes to the worker whose share holds its middle sample), of the training
 * chunks and of the validation chunks apart; a worker added later takes its share of each kind
 * from the workers richest in it ({@link #add}). A lost worker's chunks go, in chunk order,
 * each to a survivor that already holds it in memory (workers keep every chunk they ever
 * loaded) or else to the survivor that then has the fewest samples. With no survivor they wait,
 * orphaned, for the next worker to be added. The assignment never affects the numbers of a
 * run, only who computes them.
 *
 * @param <W> worker handle
 */
public final class ChunkAssignment<W> {

  private final DatasetSpec dataset;
  private final Map<W, TreeSet<Integer>> byWorker = new LinkedHashMap<>();
  private final Map<W, Long> samples = new LinkedHashMap<>();
  private final List<W> owner;
  // What each worker (also a lost one, which may come back) holds in memory.
  private final Map<W, java.util.Set<Integer>> held = new java.util.HashMap<>();
  private final TreeSet<Integer> orphaned = new TreeSet<>();
  // chunksOf's answers, asked every round; forgotten whenever a chunk changes hands.
  private final Map<W, List<Integer>> lists = new java.util.HashMap<>();

  private ChunkAssignment(DatasetSpec dataset, List<W> workers) {
    this.dataset = dataset;
    this.owner = new ArrayList<>(Collections.nCopies(dataset.numChunks(), (W) null));
    for (W w : workers) {
      byWorker.put(w, new TreeSet<>());
      samples.put(w, 0L);
    }
  }

  private ChunkAssignment(ChunkAssignment<W> other) {
    this.dataset = other.dataset;
    this.owner = new ArrayList<>(other.owner);
    other.byWorker.forEach((w, set) -> byWorker.put(w, new TreeSet<>(set)));
    samples.putAll(other.samples);
    other.held.forEach((w, set) -> held.put(w, new java.util.HashSet<>(set)));
    orphaned.addAll(other.orphaned);
  }

  /**
   * The balanced contiguous assignment of {@code dataset}'s chunks to {@code workers}. Training
   * and validation chunks (a dataset {@link DatasetSpec#separated()}) are spread apart, each
   * worker taking a block of each: one block over all chunks gave the last worker every
   * validation chunk and few or no training ones, so every training round waited on the others
   * and every validation round ran on one worker.
   */
  public static <W> ChunkAssignment<W> balanced(List<W> workers, DatasetSpec dataset) {
    if (workers.isEmpty()) {
      throw new IllegalArgumentException("no workers to assign chunks to");
    }
    ChunkAssignment<W> a = new ChunkAssignment<>(dataset, workers);
    int training = dataset.separated() ? dataset.trainingChunks() : dataset.numChunks();
    a.spread(workers, 0, training);
    a.spread(workers, training, dataset.numChunks());
    return a;
  }

  /** Gives chunks {@code [from, to)} to {@code workers} in contiguous blocks of close to equal samples. */
  private void spread(List<W> workers, int from, int to) {
    if (from >= to) {
      return;
    }
    long first = dataset.chunkStart(from);
    long n = dataset.chunkStart(to - 1) + dataset.chunkLength(to - 1) - first;
    int count = workers.size();
    for (int c = from; c < to; c++) {
      // Middle sample of the chunk, in units of half samples so everything stays integral.
      long twiceMiddle = 2 * (dataset.chunkStart(c) - first) + dataset.chunkLength(c);
      int w = (int) Math.min(count - 1, (twiceMiddle * count) / (2 * n));
      give(c, workers.get(w));
    }
  }

  private void give(int chunk, W worker) {
    lists.clear();
    owner.set(chunk, worker);
    byWorker.get(worker).add(chunk);
    samples.merge(worker, (long) dataset.chunkLength(chunk), Long::sum);
    held.computeIfAbsent(worker, w -> new java.util.HashSet<>()).add(chunk);
  }

  /** Records that {@code worker} holds {@code chunks} in memory (it loaded them). */
  public void noteHeld(W worker, java.util.Collection<Integer> chunks) {
    held.computeIfAbsent(worker, w -> new java.util.HashSet<>()).addAll(chunks);
  }

  /** Chunks whose owner was lost with no worker left to take them, ascending. */
  public List<Integer> orphaned() {
    return List.copyOf(orphaned);
  }

  /** The chunks {@link #add} would give {@code joined} now, without changing anything. */
  public List<Integer> preview(W joined) {
    return new ChunkAssignment<>(this).add(joined);
  }

  /** The workers, in assignment order. */
  public List<W> workers() {
    return new ArrayList<>(byWorker.keySet());
  }

  /** Whether {@code worker} is part of this assignment. */
  public boolean contains(W worker) {
    return byWorker.containsKey(worker);
  }

  /** The chunks of {@code worker}, ascending. */
  public List<Integer> chunksOf(W worker) {
    TreeSet<Integer> set = byWorker.get(worker);
    return set == null ? List.of()
        : lists.computeIfAbsent(worker, w -> ChunkRuns.of(List.copyOf(set)));
  }

  /**
   * Adds {@code joined}: it takes the orphaned chunks, then, of the training chunks and of the
   * validation chunks apart (as {@link #balanced} spreads them), about its share of each. Each
   * move takes the highest chunk of that kind of the worker that then has the most samples of
   * that kind, while that lowers the larger of the two. Taken over all chunks at once, the
   * highest chunks are validation chunks, so a joiner took those first and could end with no
   * training sample to compute.
   *
   * @return the chunks {@code joined} received, ascending
   */
  public List<Integer> add(W joined) {
    lists.clear();
    if (byWorker.containsKey(joined)) {
      return chunksOf(joined);
    }
    byWorker.put(joined, new TreeSet<>());
    samples.put(joined, 0L);
    for (int c : orphaned) {
      give(c, joined);
    }
    orphaned.clear();
    int training = dataset.separated() ? dataset.trainingChunks() : dataset.numChunks();
    takeShare(joined, 0, training);
    takeShare(joined, training, dataset.numChunks());
    return chunksOf(joined);
  }

  /**
   * Moves chunks of {@code [from, to)} to {@code joined} until it holds about its share of them,
   * each from the worker that then has the most samples of them.
   */
  private void takeShare(W joined, int from, int to) {
    if (from >= to) {
      return;
    }
    Map<W, Long> kind = new LinkedHashMap<>();
    for (Map.Entry<W, TreeSet<Integer>> e : byWorker.entrySet()) {
      long n = 0;
      for (int c : e.getValue().subSet(from, to)) {
        n += dataset.chunkLength(c);
      }
      kind.put(e.getKey(), n);
    }
    while (true) {
      W richest = null;
      for (W w : byWorker.keySet()) {
        if (w != joined && (richest == null || kind.get(w) > kind.get(richest))) {
          richest = w;
        }
      }
      if (richest == null || byWorker.get(richest).subSet(from, to).isEmpty()) {
        break;
      }
      int c = byWorker.get(richest).subSet(from, to).last();
      long len = dataset.chunkLength(c);
      // A move helps only while it lowers the larger of the two shares.
      if (kind.get(joined) + len >= kind.get(richest)) {
        break;
      }
      byWorker.get(richest).remove(c);
      samples.merge(richest, -len, Long::sum);
      kind.merge(richest, -len, Long::sum);
      kind.merge(joined, len, Long::sum);
      give(c, joined);
    }
  }

  /**
   * Removes {@code lost} and gives its chunks to the others: each to the least loaded survivor
   * that holds it in memory, else to the least loaded survivor. With no survivor they become
   * {@link #orphaned()} until the next {@link #add}.
   *
   * @return what moved: survivor → the chunks it received, ascending; empty if {@code lost} owned
   *     nothing, was unknown, or was the last worker
   */
  public Map<W, List<Integer>> remove(W lost) {
    lists.clear();
    TreeSet<Integer> orphans = byWorker.remove(lost);
    samples.remove(lost);
    Map<W, List<Integer>> moved = new LinkedHashMap<>();
    if (orphans == null || orphans.isEmpty()) {
      return moved;
    }
    if (byWorker.isEmpty()) {
      for (int c : orphans) {
        owner.set(c, null);
      }
      orphaned.addAll(orphans);
      return moved;
    }
    for (int c : orphans) {
      W target = null;
      boolean targetHolds = false;
      for (W w : byWorker.keySet()) {
        boolean holds = held.getOrDefault(w, java.util.Set.of()).contains(c);
        if (target == null || (holds && !targetHolds)
            || (holds == targetHolds && samples.get(w) < samples.get(target))) {
          target = w;
          targetHolds = holds;
        }
      }
      give(c, target);
      moved.computeIfAbsent(target, k -> new ArrayList<>()).add(c);
    }
    return moved;
  }
}
