package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Loads chunks of a dataset into {@link Segment}s, one per run of consecutive chunk indices, each
 * sample written once into its final place (no intermediate copies, so loading peaks at the
 * shard's own size), by the dataset's {@link InputFormat}; the digest of what was read must
 * match the coordinator's, so a worker with a different copy never contributes.
 */
public final class ShardLoader {

  private ShardLoader() {}

  /**
   * The loaded segments, the digest of the data they came from (read, never assumed), and what
   * was read for them.
   */
  public record Loaded(List<Segment> segments, String digest, Reads reads) {}

  /**
   * What a load read, for the worker's log.
   *
   * @param rows  the samples loaded
   * @param files the data files read (0: generated data, or the column cache)
   * @param bytes the bytes read from them (or from the cache); -1 if not known: another load of
   *              this JVM ran at the same time ({@link ReadCount})
   * @param cache the column-cache file the rows were read from, or null
   * @param handed the rows copied from a scan's values in this JVM ({@link ScanHandoff})
   */
  public record Reads(long rows, int files, long bytes, String cache, long handed) {

    /** What a load read, no row handed over by a scan. */
    public Reads(long rows, int files, long bytes, String cache) {
      this(rows, files, bytes, cache, 0);
    }

    /** One line: {@code loaded 320 000 rows: 70.8 MB read from 2 files}. */
    public String describe() {
      String loaded = "loaded " + String.format(Locale.ROOT, "%,d", rows).replace(',', ' ')
          + " rows";
      if (handed > 0 && handed == rows) {
        return loaded + " from the scan's values in this JVM (no file read)";
      }
      if (handed > 0) {
        return loaded + ", " + String.format(Locale.ROOT, "%,d", handed).replace(',', ' ')
            + " of them from the scan's values in this JVM, the others read from the files";
      }
      if (cache != null && bytes == 0) {
        // Every block was checked by an earlier load of this worker (chunks taken over).
        return loaded + " from the column cache " + cache + " (its blocks checked before)";
      }
      if (cache != null) {
        return loaded + String.format(Locale.ROOT, ": %.1f MB read from the column cache %s",
            bytes / 1e6, cache);
      }
      if (files == 0) {
        return loaded + " (generated: nothing read)";
      }
      String from = files + (files == 1 ? " file" : " files");
      if (bytes < 0) {
        return loaded + " from " + from + " (bytes read not counted: another load in this JVM "
            + "ran at the same time)";
      }
      return loaded + String.format(Locale.ROOT, ": %.1f MB read from %s", bytes / 1e6, from);
    }
  }

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
    TreeSet<Integer> sorted = new TreeSet<>(chunks);
    if (!sorted.isEmpty() && (sorted.first() < 0 || sorted.last() >= dataset.numChunks())) {
      int bad = sorted.first() < 0 ? sorted.first() : sorted.last();
      throw new IllegalArgumentException("chunk " + bad + " is not in 0.." + (dataset.numChunks()
          - 1));
    }
    long handedBefore = ScanHandoff.handedHere();
    // Chunks whose values a scan of this JVM holds are its arrays, not copies; the rest is read.
    List<Segment> viewed = ScanHandoff.views(dataset, sorted);
    List<Segment> segments = allocate(dataset, sorted);
    ReadCount count = ReadCount.start();
    long counted = -1;
    String digest;
    try {
      // The views' digest is the scan's own (of the bytes it parsed), as a copy's would be.
      digest = segments.isEmpty() && !viewed.isEmpty() ? FileSet.of(dataset.source()).digest()
          : loadSegments(dataset, segments);
    } finally {
      counted = count.stop();
    }
    if (!viewed.isEmpty()) {
      segments = new ArrayList<>(segments);
      segments.addAll(viewed);
      segments.sort((a, b) -> Integer.compare(a.firstChunk(), b.firstChunk()));
    }
    long rows = 0;
    for (Segment seg : segments) {
      rows += seg.samples();
    }
    Reads reads = reads(dataset, segments, rows, counted);
    long handed = ScanHandoff.handedHere() - handedBefore;
    return new Loaded(segments, digest, handed == 0 ? reads
        : new Reads(rows, reads.files(), reads.bytes(), null, handed));
  }

  private static String loadSegments(DatasetSpec dataset, List<Segment> segments) {
    if (dataset.validation() == null) {
      return InputFormats.of(dataset.source()).load(dataset, segments);
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
    return InputFormats.of(trainingPart.source()).load(trainingPart, training) + "+"
        + InputFormats.of(validationPart.source()).load(validationPart, validation);
  }

  /**
   * What loading {@code segments} read: the files holding their rows (by a manifest) or every
   * file whole (data recorded before manifests, whose size is what was read), and the bytes
   * the formats counted ({@code counted}, -1 if unknown).
   */
  private static Reads reads(DatasetSpec dataset, List<Segment> segments, long rows,
      long counted) {
    int files = 0;
    long whole = 0;
    boolean byManifest = false;
    int tc = dataset.validation() == null ? Integer.MAX_VALUE : dataset.trainingChunks();
    for (int part = 0; part < (dataset.validation() == null ? 1 : 2); part++) {
      DatasetSpec.Source src = part == 0 ? dataset.source() : dataset.validation();
      if (src.setting("path") == null && src.setting("paths") == null) {
        continue; // generated
      }
      FileSet set = FileSet.of(src);
      if (src.setting("manifest") == null && src.setting("row-groups") == null) {
        for (FileSet.DataFile f : set.files()) {
          whole += size(f.path());
        }
        files += set.files().size();
        continue;
      }
      byManifest = true;
      boolean[] touched = new boolean[set.files().size()];
      for (Segment seg : segments) {
        boolean mine = part == 0 ? seg.firstChunk() < tc : seg.firstChunk() >= tc;
        if (mine) {
          // The training chunks are the source's rows as the dataset cuts them (also with
          // a held-out split); the validation data's are numbered from 0 in their own part.
          long from = part == 0 ? dataset.chunkStart(seg.firstChunk())
              : dataset.validationPart().chunkStart(seg.firstChunk() - tc);
          set.parts(from, from + seg.samples(), (k, a, b, at) -> touched[k] = true);
        }
      }
      for (boolean t : touched) {
        files += t ? 1 : 0;
      }
    }
    long bytes = byManifest ? (counted < 0 ? -1 : counted + whole) : whole;
    return new Reads(rows, files, bytes, null);
  }

  private static long size(java.nio.file.Path p) {
    try {
      return java.nio.file.Files.size(p);
    } catch (java.io.IOException e) {
      return 0; // it was read a moment ago; a file gone since only makes the line shorter
    }
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
          || (dataset.separated() && c == dataset.trainingChunks()))) {
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
