package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bookkeeping of one evaluation (one step's round of {@code ComputeGradients}): which chunks
 * are in it, which worker was asked for each, which results arrived, and each worker's share.
 * Accepts a result only from the worker that was asked for that chunk, once.
 *
 * @param <W> worker handle
 */
final class Evaluation<W> {

  private final DatasetSpec dataset;
  private final ChunkResult[] received;
  private final List<W> askedFrom;
  private final boolean[] inBatch;
  private final long batchSamples;
  private int missing;
  // Per worker: chunks asked, compute nanoseconds reported, samples asked.
  private final Map<W, long[]> shares = new LinkedHashMap<>();

  /** An evaluation of the chunks in {@code batch}. */
  Evaluation(DatasetSpec dataset, List<Integer> batch) {
    this.dataset = dataset;
    int chunks = dataset.numChunks();
    this.received = new ChunkResult[chunks];
    this.askedFrom = new ArrayList<>(java.util.Collections.nCopies(chunks, (W) null));
    this.inBatch = new boolean[chunks];
    long samples = 0;
    for (int c : batch) {
      inBatch[c] = true;
      samples += dataset.chunkLength(c);
    }
    this.batchSamples = samples;
    this.missing = batch.size();
  }

  /** The chunks of {@code chunks} that are in this evaluation and have no result yet. */
  List<Integer> stillNeeded(List<Integer> chunks) {
    List<Integer> out = new ArrayList<>();
    for (int c : chunks) {
      if (inBatch[c] && received[c] == null) {
        out.add(c);
      }
    }
    return out;
  }

  /** Records that {@code worker} was asked for {@code chunks}. */
  void asked(W worker, List<Integer> chunks) {
    long[] share = shares.computeIfAbsent(worker, w -> new long[3]);
    for (int c : chunks) {
      askedFrom.set(c, worker);
      share[2] += dataset.chunkLength(c);
    }
    share[0] += chunks.size();
  }

  /**
   * Accepts {@code result} from {@code worker} if it was asked for that chunk and has not
   * answered it yet, and its gradients fit {@code params}.
   *
   * @return whether it was accepted (otherwise the caller counts it as dropped)
   */
  boolean accept(W worker, ChunkResult result, List<NamedTensor> params) {
    int c = result.chunk();
    if (c < 0 || c >= received.length || !inBatch[c] || !worker.equals(askedFrom.get(c))
        || received[c] != null || result.count() != dataset.chunkLength(c)
        || StepReduction.mismatch(result, params) != null) {
      return false;
    }
    received[c] = result;
    missing--;
    return true;
  }

  /** Adds compute time reported by {@code worker}. */
  void computed(W worker, long nanos) {
    long[] share = shares.get(worker);
    if (share != null) {
      share[1] += nanos;
    }
  }

  /** Whether every chunk of the batch has its result. */
  boolean complete() {
    return missing == 0;
  }

  /** The workers that still owe a result. */
  Set<W> late() {
    Set<W> out = new LinkedHashSet<>();
    for (int c = 0; c < received.length; c++) {
      if (inBatch[c] && received[c] == null) {
        out.add(askedFrom.get(c));
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
    return StepReduction.reduce(received, params, batchSamples);
  }

  /** Per worker: {@code [chunks asked, compute nanoseconds, samples asked]}. */
  Map<W, long[]> shares() {
    return shares;
  }
}
