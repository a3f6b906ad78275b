package dev.tapetrain.worker.shard;

import dev.tapetrain.data.Segment;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The chunks a worker holds on the heap, each in the one {@link Segment} it was loaded in and
 * read there in place. A chunk is found by its id in an array (every round asks for each of
 * its chunks; a map would box every id above 127), with its segment's arrays as the compiled
 * loop takes them, the features' then the targets', made once per segment.
 */
final class HeapChunks implements BatchEvaluation.ChunkColumns {

  private final Map<Integer, Segment> held = new HashMap<>();
  private Segment[] byChunk = new Segment[0];
  private double[][][] columnsByChunk = new double[0][][];

  /** Holds every chunk of {@code seg} (loaded once: a chunk already held is not given again). */
  void add(Segment seg) {
    int last = seg.firstChunk() + seg.chunks() - 1;
    if (last >= byChunk.length) {
      byChunk = Arrays.copyOf(byChunk, Math.max(last + 1, 2 * byChunk.length));
      columnsByChunk = Arrays.copyOf(columnsByChunk, byChunk.length);
    }
    double[][] columns = Arrays.copyOf(seg.x(), seg.x().length + 1);
    columns[seg.x().length] = seg.y();
    for (int k = 0; k < seg.chunks(); k++) {
      held.put(seg.firstChunk() + k, seg);
      byChunk[seg.firstChunk() + k] = seg;
      columnsByChunk[seg.firstChunk() + k] = columns;
    }
  }

  /** The segment holding chunk {@code c}, or null if it is not held. */
  Segment segment(int c) {
    return c >= 0 && c < byChunk.length ? byChunk[c] : null;
  }

  /** Whether chunk {@code c} is held. */
  boolean holds(int c) {
    return segment(c) != null;
  }

  /** The chunks held (a read-only view). */
  Set<Integer> chunks() {
    return Collections.unmodifiableSet(held.keySet());
  }

  /** Chunk {@code c}'s segment's arrays, the features' then the targets' (c must be held). */
  @Override
  public double[][] columns(int c) {
    return columnsByChunk[c];
  }

  /** Where chunk {@code c} starts in its segment's arrays (c must be held). */
  @Override
  public int start(int c) {
    return byChunk[c].start(c);
  }
}
