package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import dev.tapetrain.data.ShardLoader;
import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The chunks a worker holds and their loading; its one job is which chunks are here and getting
 * the missing ones, so {@link ShardEvaluator} only evaluates. The samples are on the heap (one
 * {@link Segment} per run of chunks, in {@link HeapChunks}) or, for a share larger than the heap,
 * in the column cache ({@link MappedShard}). The first load reads the data even when no chunk is
 * asked for, so the digest it keeps is always what this machine holds, never the
 * specification's own. Calls come from one thread at a time (the worker actor's).
 */
final class ShardChunks {

  private final DatasetSpec dataset;
  // Every loaded sample lives once, in these segments; evaluation reads them in place.
  private final HeapChunks heap = new HeapChunks();
  // Null when the samples are on the heap (in segments).
  private final MappedShard mapped;
  private String verifiedDigest;
  private ShardLoader.Reads lastReads;

  /** No chunk of {@code dataset} yet; its samples go to {@code mapped} (null: the heap). */
  ShardChunks(DatasetSpec dataset, MappedShard mapped) {
    this.dataset = dataset;
    this.mapped = mapped;
  }

  /** The chunks on the heap (empty when they live in the column cache). */
  HeapChunks heap() {
    return heap;
  }

  /** The chunks in the column cache, or null when they live on the heap. */
  MappedShard mapped() {
    return mapped;
  }

  /**
   * Makes sure {@code wanted} are loaded (loading the missing ones in one pass); see
   * {@link ShardEvaluator#ensureLoaded}.
   *
   * @return the digest of the data read
   */
  String ensureLoaded(Collection<Integer> wanted) {
    lastReads = null;
    List<Integer> missing = new ArrayList<>();
    for (int c : wanted) {
      if (c < 0 || c >= dataset.numChunks()) {
        throw new IllegalArgumentException("chunk " + c + " is not in 0.."
            + (dataset.numChunks() - 1));
      }
      if (mapped != null ? !mapped.holds(c) : !heap.holds(c)) {
        missing.add(c);
      }
    }
    if (missing.isEmpty() && verifiedDigest != null) {
      return verifiedDigest;
    }
    if (mapped != null) {
      verifiedDigest = mapped.load(missing);
      lastReads = mapped.lastReads();
      return verifiedDigest;
    }
    ShardLoader.Loaded loaded = ShardLoader.load(dataset, missing);
    lastReads = loaded.reads();
    for (Segment seg : loaded.segments()) {
      heap.add(seg);
    }
    verifiedDigest = loaded.digest();
    return verifiedDigest;
  }

  /** What the last {@link #ensureLoaded} read, or null if it loaded nothing. */
  ShardLoader.Reads lastReads() {
    return lastReads;
  }

  /** The chunks held (in memory, or in the column cache). */
  Set<Integer> chunks() {
    return mapped != null ? mapped.loadedChunks() : heap.chunks();
  }

  /**
   * Whether the data were read and checked and every chunk of {@code ids[0, n)} is held (valid
   * ids only; else false).
   */
  boolean holdsAll(int[] ids, int n) {
    if (verifiedDigest == null) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      int c = ids[i];
      if (c < 0 || c >= dataset.numChunks()
          || (mapped != null ? !mapped.holds(c) : !heap.holds(c))) {
        return false;
      }
    }
    return true;
  }
}
