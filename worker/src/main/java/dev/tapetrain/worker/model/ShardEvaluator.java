package dev.tapetrain.worker.model;

import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.worker.data.Chunk;
import dev.tapetrain.worker.data.ShardLoader;
import dev.tapetrain.worker.tape.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A worker's chunks and the evaluation of the model on them. Each chunk is evaluated on its own
 * (its result depends only on the parameters and the chunk's samples), which is what makes the
 * reduced result independent of how chunks are spread over workers.
 */
public final class ShardEvaluator {

  private final DatasetSpec dataset;
  private final Map<Integer, Tensor[]> chunks = new HashMap<>();
  private final LinearModel model;

  /** An evaluator of {@code dataset} holding no chunks yet. */
  public ShardEvaluator(DatasetSpec dataset) {
    this.dataset = dataset;
    this.model = new LinearModel(dataset.features());
  }

  /** The dataset this evaluator reads. */
  public DatasetSpec dataset() {
    return dataset;
  }

  /**
   * Makes sure {@code wanted} are loaded (loading the missing ones in one pass).
   *
   * @return the digest of the data read
   * @throws DataException if the data cannot be read or differ from the coordinator's
   */
  public String ensureLoaded(Collection<Integer> wanted) {
    List<Integer> missing = new ArrayList<>();
    for (int c : wanted) {
      if (c < 0 || c >= dataset.numChunks()) {
        throw new IllegalArgumentException("chunk " + c + " is not in 0.." + (dataset.numChunks() - 1));
      }
      if (!chunks.containsKey(c)) {
        missing.add(c);
      }
    }
    if (missing.isEmpty()) {
      return ShardLoader.digestOf(dataset);
    }
    ShardLoader.Loaded loaded = ShardLoader.load(dataset, missing);
    for (Chunk c : loaded.chunks().values()) {
      chunks.put(c.index(), new Tensor[] {inputs(c), Tensor.vector(c.y())});
    }
    return loaded.digest();
  }

  /** One feature: the samples as a vector; several: an {@code [n, f]} row-major matrix. */
  private static Tensor inputs(Chunk c) {
    int f = c.x().length;
    if (f == 1) {
      return Tensor.vector(c.x()[0]);
    }
    int n = c.size();
    double[] rows = new double[n * f];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) {
        rows[i * f + j] = c.x()[j][i];
      }
    }
    return Tensor.matrix(n, f, rows);
  }

  /** Keeps only {@code keep}, freeing the memory of chunks given to other workers. */
  public void retainOnly(Collection<Integer> keep) {
    chunks.keySet().retainAll(new java.util.HashSet<>(keep));
  }

  /** Evaluates each of {@code wanted} (loaded first if needed) at {@code params}. */
  public List<ChunkResult> evaluate(List<NamedTensor> params, List<Integer> wanted) {
    ensureLoaded(wanted);
    model.setParameters(params);
    List<ChunkResult> results = new ArrayList<>(wanted.size());
    for (int c : wanted) {
      Tensor[] xy = chunks.get(c);
      LinearModel.Sums s = model.sums(xy[0], xy[1]);
      results.add(new ChunkResult(c, xy[1].size(), s.lossSum(), List.of(
          new NamedTensor(LinearModel.W, s.gradW().shape(), s.gradW().toArray()),
          new NamedTensor(LinearModel.B, new int[0], s.gradB().toArray()))));
    }
    return results;
  }
}
