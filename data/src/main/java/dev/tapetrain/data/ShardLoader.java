package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Loads chunks of a dataset into {@link Segment}s, one per run of consecutive chunk indices, each
 * sample written once into its final place (no intermediate copies, so loading peaks at the
 * shard's own size), by the dataset's {@link InputFormat}; the digest of what was read must
 * match the coordinator's, so a worker with a different copy never contributes.
 */
public final class ShardLoader {

  private ShardLoader() {}

  /** The loaded segments, and the digest of the data they came from (read, never assumed). */
  public record Loaded(List<Segment> segments, String digest) {}

  /** Bytes a shard of {@code samples} samples of {@code dataset} holds in memory. */
  public static long bytesFor(DatasetSpec dataset, long samples) {
    return samples * 8L * (dataset.features() + 1);
  }

  /**
   * Loads {@code chunks} of {@code dataset} with its input format. With a manifest (CSV data
   * scanned since 2026-12-06) only the pieces holding the chunks are read, each checked against
   * its digest; without one, every file is read and hashed, even when no chunk is asked for.
   *
   * @throws DataException if the data are missing, unreadable or not the coordinator's copy
   */
  public static Loaded load(DatasetSpec dataset, Collection<Integer> chunks) {
    List<Segment> segments = allocate(dataset, new TreeSet<>(chunks));
    if (dataset.validation() == null) {
      return new Loaded(segments, InputFormats.of(dataset.source()).load(dataset, segments));
    }
    // Validation data of their own: each source reads its own chunks, numbered from 0 there,
    // into the same arrays (no segment spans both: allocate breaks runs at the boundary).
    int tc = dataset.trainingChunks();
    List<Segment> training = new ArrayList<>();
    List<Segment> validation = new ArrayList<>();
    for (Segment seg : segments) {
      if (seg.firstChunk() < tc) {
        training.add(seg);
      } else {
        validation.add(new Segment(seg.firstChunk() - tc, seg.starts(), seg.x(), seg.y()));
      }
    }
    DatasetSpec trainingPart = dataset.training();
    DatasetSpec validationPart = dataset.validationPart();
    String digest = InputFormats.of(trainingPart.source()).load(trainingPart, training) + "+"
        + InputFormats.of(validationPart.source()).load(validationPart, validation);
    return new Loaded(segments, digest);
  }

  /** Empty segments, one per run of consecutive chunks in {@code sorted}. */
  private static List<Segment> allocate(DatasetSpec dataset, TreeSet<Integer> sorted) {
    List<Segment> out = new ArrayList<>();
    List<Integer> run = new ArrayList<>();
    for (int c : sorted) {
      if (c < 0 || c >= dataset.numChunks()) {
        throw new IllegalArgumentException("chunk " + c + " is not in 0.." + (dataset.numChunks()
            - 1));
      }
      if (!run.isEmpty() && (c != run.get(run.size() - 1) + 1
          || (dataset.validation() != null && c == dataset.trainingChunks()))) {
        out.add(segment(dataset, run));
        run.clear();
      }
      run.add(c);
    }
    if (!run.isEmpty()) {
      out.add(segment(dataset, run));
    }
    return out;
  }

  private static Segment segment(DatasetSpec dataset, List<Integer> run) {
    int[] starts = new int[run.size() + 1];
    long total = 0;
    for (int k = 0; k < run.size(); k++) {
      starts[k] = (int) total;
      total += dataset.chunkLength(run.get(k));
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a run of " + total + " samples does not fit in one "
          + "array; use more workers");
    }
    starts[run.size()] = (int) total;
    double[][] x = new double[dataset.features()][(int) total];
    return new Segment(run.get(0), starts, x, new double[(int) total]);
  }
}
