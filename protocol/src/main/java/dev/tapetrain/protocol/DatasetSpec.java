package dev.tapetrain.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What data a run trains on and how it is cut into chunks.
 *
 * <p>The N samples are split into chunks of {@code chunkSize} consecutive samples (the last one
 * may be shorter). The chunk size depends on N and an explicit {@code --chunk-size} only, never on
 * the number of workers: the chunk is the unit of the determinism contract, because every chunk's
 * sums are computed the same way wherever it runs and the coordinator adds them in chunk order.
 *
 * <p>With validation data of their own ({@code --validation-data}) the dataset is both sources,
 * one after the other: samples {@code 0 .. T − 1} are {@code source}'s (the training samples),
 * samples {@code T .. T + V − 1} are {@code validation}'s. With a held-out split
 * ({@code --validation-split}, {@code heldOut} > 0) the source's first {@code T = rows − heldOut}
 * samples train and its last {@code heldOut} validate. Either way the two sides are chunked
 * on their own with the same chunk size (no chunk holds samples of both): chunks
 * {@code 0 .. ⌈T/C⌉ − 1} are the training samples', the chunks after them the validation
 * samples', the first starting at sample {@code T}.
 *
 * @param source     where the (training) samples come from
 * @param chunkSize  samples per chunk, at least 1
 * @param validation the validation data ({@code --validation-data}), or null
 * @param heldOut    the source's last samples held out for validation, chunked on their own
 *                   ({@code --validation-split}, since 2026-12-07); 0: none. Runs made before
 *                   record none and keep their chunks: one may straddle their split.
 */
public record DatasetSpec(Source source, int chunkSize, Source validation, long heldOut) {

  /** Smallest default chunk: small jobs still spread over several workers. */
  static final int MIN_DEFAULT_CHUNK = 64;
  /** The default aims at no more than about this many chunks, so a step stays a few messages. */
  static final int TARGET_MAX_CHUNKS = 1024;

  /** Validates the chunk size, and that validation data have the source's columns. */
  public DatasetSpec {
    Objects.requireNonNull(source, "source");
    if (chunkSize < 1) {
      throw new IllegalArgumentException("--chunk-size must be at least 1, got " + chunkSize);
    }
    if (validation != null && (!validation.columns().equals(source.columns())
        || !validation.target().equals(source.target()))) {
      throw new IllegalArgumentException("--validation-data: columns " + validation.columns()
          + " → " + validation.target() + " differ from --data's " + source.columns() + " → "
          + source.target());
    }
    if (heldOut < 0 || heldOut >= source.examples() || (heldOut > 0 && validation != null)) {
      throw new IllegalArgumentException("cannot hold out " + heldOut + " of "
          + source.examples() + " samples" + (validation == null ? "" : " beside validation "
          + "data of their own"));
    }
  }

  /** A dataset of one source and validation data of their own (or null). */
  public DatasetSpec(Source source, int chunkSize, Source validation) {
    this(source, chunkSize, validation, 0);
  }

  /** A dataset of one source, without validation data of its own. */
  public DatasetSpec(Source source, int chunkSize) {
    this(source, chunkSize, null);
  }

  /**
   * The source's samples chunked alone and whole (without validation data or a held-out
   * split): what its input format reads and its column cache holds.
   */
  public DatasetSpec training() {
    return validation == null && heldOut == 0 ? this : new DatasetSpec(source, chunkSize);
  }

  /**
   * Whether training and validation samples are chunked apart: validation data of their own or
   * a held-out split. Then chunk {@link #trainingChunks()} starts at sample
   * {@link #trainingRows()}.
   */
  public boolean separated() {
    return validation != null || heldOut > 0;
  }

  /** The training samples when {@link #separated()}: those before the validation samples. */
  public long trainingRows() {
    return source.examples() - heldOut;
  }

  /** The validation data chunked alone (their chunk {@code k} is this one's chunk {@code trainingChunks() + k}). */
  public DatasetSpec validationPart() {
    if (validation == null) {
      throw new IllegalStateException("no validation data");
    }
    return new DatasetSpec(validation, chunkSize);
  }

  /** The chunks of the training samples: all of them unless {@link #separated()}. */
  public int trainingChunks() {
    return (int) ((trainingRows() + chunkSize - 1) / chunkSize);
  }

  /** The chunk holding sample {@code sample}. */
  public int chunkOf(long sample) {
    long t = trainingRows();
    return !separated() || sample < t ? (int) (sample / chunkSize)
        : trainingChunks() + (int) ((sample - t) / chunkSize);
  }

  /**
   * The default chunk size for {@code examples} samples: the smallest power of two that keeps the
   * number of chunks at or below 1024, and at least 64. The tutorial's 1000 samples give 16 chunks
   * of 64; a million give 977 chunks of 1024.
   */
  public static int defaultChunkSize(long examples) {
    long perChunk = Math.max(MIN_DEFAULT_CHUNK, (examples + TARGET_MAX_CHUNKS - 1) / TARGET_MAX_CHUNKS);
    long pow2 = Long.highestOneBit(perChunk);
    if (pow2 < perChunk) {
      pow2 <<= 1;
    }
    return (int) Math.min(pow2, 1 << 30);
  }

  /** The number of samples. */
  public long examples() {
    return source.examples() + (validation == null ? 0 : validation.examples());
  }

  /**
   * The digest of these data a worker reports once it has read them, and a checkpoint records:
   * a file's SHA-256, or {@code synthetic} (generated data are defined by the spec itself).
   */
  public String digest() {
    return validation == null ? source.digest() : source.digest() + "+" + validation.digest();
  }

  /** The number of features per sample (the length of W). */
  public int features() {
    return source.features();
  }

  /** The number of chunks. */
  public int numChunks() {
    long t = separated() ? trainingRows() : examples();
    long n = (t + chunkSize - 1) / chunkSize + (examples() - t + chunkSize - 1) / chunkSize;
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many chunks: " + n + "; raise --chunk-size");
    }
    return (int) n;
  }

  /** Index of the first sample of {@code chunk}. */
  public long chunkStart(int chunk) {
    int tc = trainingChunks();
    return !separated() || chunk < tc ? (long) chunk * chunkSize
        : trainingRows() + (long) (chunk - tc) * chunkSize;
  }

  /** Number of samples in {@code chunk}. */
  public int chunkLength(int chunk) {
    if (chunk < 0 || chunk >= numChunks()) {
      throw new IndexOutOfBoundsException("chunk " + chunk + " of " + numChunks());
    }
    long end = !separated() || chunk >= trainingChunks() ? examples() : trainingRows();
    return (int) Math.min(chunkSize, end - chunkStart(chunk));
  }

  /**
   * Where the samples come from, as the run's input format described them after scanning:
   * everything a worker needs to read its chunks, and to prove it read the same data.
   *
   * @param format   the input format's name ({@code synthetic}, {@code csv}, a plug-in's)
   * @param settings the format's settings by name, canonical texts (a file's path, the columns
   *                 asked for, a generator's numbers), sorted by name
   * @param columns  the feature columns, in the order the model reads them
   * @param target   the target column
   * @param rows     the number of samples, at least 1
   * @param digest   what identifies the data: a file's SHA-256, or {@code synthetic} for data
   *                 the settings define
   */
  public record Source(String format, Map<String, String> settings, List<String> columns,
      String target, long rows, String digest) {

    /** Validates and copies. */
    public Source {
      Objects.requireNonNull(format, "format");
      settings = Collections.unmodifiableMap(new TreeMap<>(settings));
      columns = List.copyOf(columns);
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(digest, "digest");
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("at least one feature column is needed");
      }
      if (rows < 1) {
        throw new IllegalArgumentException("a dataset needs at least one row");
      }
    }

    /** Number of samples. */
    public long examples() {
      return rows;
    }

    /** Number of features per sample. */
    public int features() {
      return columns.size();
    }

    /** The canonical text of the format's setting {@code name}, or null. */
    public String setting(String name) {
      return settings.get(name);
    }

    /**
     * The tutorial's generated data, as the {@code synthetic} input format describes them:
     * {@code x ~ N(0,1)} per feature, {@code s = trueW·x + trueB + noise·N(0,1)}, the target
     * {@code s} itself for regression ({@code classes} 0) or the class of {@code s} (see the
     * data module's {@code SampleGenerator}). Also what wire messages of before 2026-12-06
     * decode to.
     */
    public static Source synthetic(long examples, List<Double> trueW, double trueB,
        double noise, long seed, int classes) {
      if (trueW.isEmpty()) {
        throw new IllegalArgumentException("--true-w needs at least one value");
      }
      Map<String, String> s = new TreeMap<>();
      s.put("examples", Long.toString(examples));
      s.put("true-w", join(trueW));
      s.put("true-b", Double.toString(trueB));
      s.put("noise", Double.toString(noise));
      s.put("seed", Long.toString(seed));
      s.put("classes", Integer.toString(classes));
      List<String> columns = new ArrayList<>();
      for (int f = 1; f <= trueW.size(); f++) {
        columns.add(trueW.size() == 1 ? "x" : "x" + f);
      }
      return new Source(SYNTHETIC, s, columns, "y", examples, SYNTHETIC);
    }

    /** Regression data: {@code classes} 0. */
    public static Source synthetic(long examples, List<Double> trueW, double trueB,
        double noise, long seed) {
      return synthetic(examples, trueW, trueB, noise, seed, 0);
    }

    /**
     * A CSV file with a header row, as the {@code csv} input format describes it: {@code rows}
     * data rows and the file's SHA-256. Also what wire messages of before 2026-12-06 decode to.
     */
    public static Source csv(String path, List<String> featureColumns, String targetColumn,
        long rows, String sha256) {
      Map<String, String> s = new TreeMap<>();
      s.put("path", path);
      s.put("features", String.join(",", featureColumns));
      s.put("target", targetColumn);
      return new Source(CSV, s, featureColumns, targetColumn, rows, sha256);
    }

    private static String join(List<Double> values) {
      List<String> parts = new ArrayList<>();
      for (double v : values) {
        parts.add(Double.toString(v));
      }
      return String.join(",", parts);
    }
  }

  /** The name of the built-in input format of generated data. */
  public static final String SYNTHETIC = "synthetic";
  /** The name of the built-in CSV input format. */
  public static final String CSV = "csv";
}
