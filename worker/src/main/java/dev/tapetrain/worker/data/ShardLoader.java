package dev.tapetrain.worker.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.data.CsvFile;
import dev.tapetrain.protocol.data.DataException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads chunks of a dataset. Synthetic chunks are generated; CSV chunks are read from the file at
 * the dataset's path on this machine, in one pass, and the file's SHA-256 must match the one the
 * coordinator validated, so a worker with a different copy never contributes.
 */
public final class ShardLoader {

  private ShardLoader() {}

  /** The loaded chunks, and the digest of the data they came from. */
  public record Loaded(Map<Integer, Chunk> chunks, String digest) {}

  /**
   * Loads {@code chunks} of {@code dataset}.
   *
   * @throws DataException if the file is missing, unreadable or not the coordinator's copy
   */
  public static Loaded load(DatasetSpec dataset, Collection<Integer> chunks) {
    Map<Integer, Chunk> out = new HashMap<>();
    if (dataset.source() instanceof DatasetSpec.Synthetic s) {
      for (int c : chunks) {
        out.put(c, SampleGenerator.generate(s, c, dataset.chunkStart(c), dataset.chunkLength(c)));
      }
      return new Loaded(out, digestOf(dataset));
    }
    DatasetSpec.Csv csv = (DatasetSpec.Csv) dataset.source();
    int features = csv.features();
    double[][][] xs = new double[dataset.numChunks()][][];
    double[][] ys = new double[dataset.numChunks()][];
    for (int c : chunks) {
      xs[c] = new double[features][dataset.chunkLength(c)];
      ys[c] = new double[dataset.chunkLength(c)];
    }
    int chunkSize = dataset.chunkSize();
    String sha = CsvFile.read(Path.of(csv.path()), csv.featureColumns(), csv.targetColumn(),
        row -> row < csv.rows() && ys[(int) (row / chunkSize)] != null,
        (row, x, y) -> {
          int c = (int) (row / chunkSize);
          int i = (int) (row % chunkSize);
          for (int f = 0; f < features; f++) {
            xs[c][f][i] = x[f];
          }
          ys[c][i] = y;
        });
    if (!sha.equals(csv.sha256())) {
      throw new DataException(csv.path() + ": this copy differs from the coordinator's (SHA-256 "
          + abbreviate(sha) + " here, " + abbreviate(csv.sha256()) + " there)");
    }
    for (int c : chunks) {
      out.put(c, new Chunk(c, xs[c], ys[c]));
    }
    return new Loaded(out, sha);
  }

  /** The digest a worker reports for {@code dataset}: the file's SHA-256, or a synthetic tag. */
  public static String digestOf(DatasetSpec dataset) {
    return dataset.source() instanceof DatasetSpec.Csv csv ? csv.sha256() : "synthetic";
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
