package dev.tapetrain.benchmarks;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The workload of the worker benchmarks ({@link ModelBenchmark}, {@link WorkerRoundBenchmark}):
 * a built-in model by its {@code @Param} name, softmax with 50 features and 10 classes, logistic
 * regression on 10 features, or the MLP (10 features, 16 hidden units, regression), over
 * synthetic samples fit for it.
 */
final class WorkerModels {

  private WorkerModels() {}

  /** Synthetic samples for {@code model} (softmax, logistic or mlp), default chunks. */
  static DatasetSpec dataset(String model, int samples) {
    int features = model.equals("softmax") ? 50 : 10;
    List<Double> trueW = new ArrayList<>(Collections.nCopies(features, 0.5));
    return new DatasetSpec(DatasetSpec.Source.synthetic(samples, trueW, 0.1, 1, 42,
        classes(model)), DatasetSpec.defaultChunkSize(samples));
  }

  /** The model {@code model} as the benchmarks run it. */
  static ModelSpec spec(String model) {
    return new ModelSpec(model, classes(model), 42,
        model.equals("mlp") ? Map.of("hidden", "16") : Map.of());
  }

  private static int classes(String model) {
    return model.equals("softmax") ? 10 : model.equals("logistic") ? 2 : 0;
  }

  /** Every chunk of {@code dataset}, in order. */
  static List<Integer> allChunks(DatasetSpec dataset) {
    List<Integer> chunks = new ArrayList<>();
    for (int c = 0; c < dataset.numChunks(); c++) {
      chunks.add(c);
    }
    return chunks;
  }
}
