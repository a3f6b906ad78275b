package dev.tapetrain.protocol;

import java.util.List;
import java.util.Objects;

/**
 * What data a run trains on and how it is cut into chunks.
 *
 * <p>The N samples are split into chunks of {@code chunkSize} consecutive samples (the last one
 * may be shorter). The chunk size depends on N and an explicit {@code --chunk-size} only, never on
 * the number of workers: the chunk is the unit of the determinism contract, because every chunk's
 * sums are computed the same way wherever it runs and the coordinator adds them in chunk order.
 *
 * @param source    where the samples come from
 * @param chunkSize samples per chunk, at least 1
 */
public record DatasetSpec(Source source, int chunkSize) {

  /** Smallest default chunk: small jobs still spread over several workers. */
  static final int MIN_DEFAULT_CHUNK = 64;
  /** The default aims at no more than about this many chunks, so a step stays a few messages. */
  static final int TARGET_MAX_CHUNKS = 1024;

  /** Validates the chunk size. */
  public DatasetSpec {
    Objects.requireNonNull(source, "source");
    if (chunkSize < 1) {
      throw new IllegalArgumentException("--chunk-size must be at least 1, got " + chunkSize);
    }
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
    return source.examples();
  }

  /**
   * The digest of these data a worker reports once it has read them, and a checkpoint records:
   * a CSV file's SHA-256, or {@code synthetic} (generated data are defined by the spec itself).
   */
  public String digest() {
    return source instanceof Csv csv ? csv.sha256() : "synthetic";
  }

  /** The number of features per sample (the length of W). */
  public int features() {
    return source.features();
  }

  /** The number of chunks. */
  public int numChunks() {
    long n = (examples() + chunkSize - 1) / chunkSize;
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many chunks: " + n + "; raise --chunk-size");
    }
    return (int) n;
  }

  /** Index of the first sample of {@code chunk}. */
  public long chunkStart(int chunk) {
    return (long) chunk * chunkSize;
  }

  /** Number of samples in {@code chunk}. */
  public int chunkLength(int chunk) {
    if (chunk < 0 || chunk >= numChunks()) {
      throw new IndexOutOfBoundsException("chunk " + chunk + " of " + numChunks());
    }
    return (int) Math.min(chunkSize, examples() - chunkStart(chunk));
  }

  /** Where samples come from. */
  public sealed interface Source permits Synthetic, Csv {
    /** Number of samples. */
    long examples();

    /** Number of features per sample. */
    int features();
  }

  /**
   * The tutorial's generated data: {@code x ~ N(0,1)} per feature, {@code s = trueW·x + trueB +
   * noise·N(0,1)}, generated per sample from {@code (seed, sample index)} so that any worker can
   * produce any chunk. The target is {@code s} itself for regression ({@code classes} 0); for a
   * classifier it is the class of {@code s}: {@code 1 if s > 0 else 0} for two classes, and
   * {@code min(K − 1, ⌊K·σ(s)⌋)} (σ the logistic function: K ordered bands of {@code s}) for
   * {@code K > 2}.
   */
  public record Synthetic(long examples, List<Double> trueW, double trueB, double noise, long seed,
      int classes) implements Source {

    /** Regression data: {@code classes} 0. */
    public Synthetic(long examples, List<Double> trueW, double trueB, double noise, long seed) {
      this(examples, trueW, trueB, noise, seed, 0);
    }

    /** Validates the parameters. */
    public Synthetic {
      trueW = List.copyOf(trueW);
      if (classes == 1 || classes < 0) {
        throw new IllegalArgumentException("--classes must be at least 2, got " + classes);
      }
      if (examples < 1) {
        throw new IllegalArgumentException("--examples must be at least 1, got " + examples);
      }
      if (trueW.isEmpty()) {
        throw new IllegalArgumentException("--true-w needs at least one value");
      }
      for (double w : trueW) {
        requireFinite("--true-w", w);
      }
      requireFinite("--true-b", trueB);
      requireFinite("--noise", noise);
      if (noise < 0) {
        throw new IllegalArgumentException("--noise must be >= 0, got " + noise);
      }
    }

    @Override
    public int features() {
      return trueW.size();
    }
  }

  /**
   * A CSV file with a header row, validated by the coordinator: {@code rows} data rows, every
   * selected value a finite number, and the file's SHA-256 so that a worker with a different copy
   * is refused.
   */
  public record Csv(String path, List<String> featureColumns, String targetColumn, long rows,
      String sha256) implements Source {

    /** Validates the parameters. */
    public Csv {
      Objects.requireNonNull(path, "path");
      featureColumns = List.copyOf(featureColumns);
      Objects.requireNonNull(targetColumn, "targetColumn");
      Objects.requireNonNull(sha256, "sha256");
      if (featureColumns.isEmpty()) {
        throw new IllegalArgumentException("at least one feature column is needed");
      }
      if (rows < 1) {
        throw new IllegalArgumentException("a CSV dataset needs at least one row");
      }
    }

    @Override
    public long examples() {
      return rows;
    }

    @Override
    public int features() {
      return featureColumns.size();
    }
  }

  private static void requireFinite(String what, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(what + " must be a finite number, got " + v);
    }
  }
}
