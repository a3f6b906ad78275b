package dev.tapetrain.coordinator.cli;

import dev.tapetrain.data.Segment;
import dev.tapetrain.data.ShardLoader;
import dev.tapetrain.protocol.DatasetSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleFunction;
import picocli.CommandLine.Option;

/**
 * {@code --class-weight} (Keras' {@code class_weight}), a picocli mixin of
 * {@link TrainOptions}: its syntax, its checks (each one line) and the weights it makes, one per
 * class. {@code balanced} is scikit-learn's and Keras users' {@code n_samples / (n_classes ·
 * count_c)} over the training samples only; the counts come from the labels the scan already
 * checks ({@link #counting}), or for a format that checks none (generated data) from reading
 * the training chunks once.
 */
final class ClassWeightOptions {

  @Option(names = "--class-weight", paramLabel = "SPEC",
      description = "Classifiers: weigh each training sample's loss by its class, 'balanced' "
          + "(n_samples / (n_classes * count), from the training samples) or CLASS:WEIGHT,… "
          + "(0:1,1:5; classes not named weigh 1). Validation numbers stay unweighted.")
  String classWeight;

  // The labels the scan passed, in row order, while counting for 'balanced'.
  private int[] labels = new int[0];
  private int seen;

  /**
   * {@code check} as the scan's target check, remembering each label that passes when
   * {@code balanced} needs the counts.
   */
  DoubleFunction<String> counting(DoubleFunction<String> check) {
    if (!"balanced".equals(classWeight)) {
      return new dev.tapetrain.data.InputFormat.OrderFree(check);
    }
    return y -> {
      String problem = check.apply(y);
      if (problem == null && y == Math.rint(y) && y >= 0 && y < Integer.MAX_VALUE) {
        if (seen == labels.length) {
          labels = Arrays.copyOf(labels, Math.max(1024, 2 * seen));
        }
        labels[seen++] = (int) y;
      }
      return problem;
    };
  }

  /**
   * The weights of a model of {@code classes} classes (0: a regression) trained on the first
   * {@code training} samples of {@code dataset}; empty without {@code --class-weight}.
   *
   * @throws UsageException for a regression, bad syntax, a class outside the model's, a weight
   *     that is negative or not finite, or a class without training sample for 'balanced'
   */
  List<Double> weights(String model, int classes, DatasetSpec dataset, long training) {
    if (classWeight == null) {
      return List.of();
    }
    if (classes < 2) {
      throw new UsageException("--class-weight: --model " + model + " is a regression here; "
          + "class weights are for classifiers (logistic, softmax, mlp with --classes)");
    }
    if (classWeight.equals("balanced")) {
      return balanced(classes, counts(classes, dataset, training), training);
    }
    Double[] w = new Double[classes];
    Arrays.fill(w, 1.0);
    boolean[] named = new boolean[classes];
    for (String part : classWeight.split(",", -1)) {
      String[] kv = part.trim().split(":", -1);
      if (kv.length != 2 || !kv[0].trim().matches("-?[0-9]+")) {
        throw new UsageException("--class-weight: '" + classWeight + "' is not 'balanced' or "
            + "CLASS:WEIGHT,… (for example 0:1,1:5)");
      }
      long c = parseClass(kv[0].trim());
      if (c < 0 || c >= classes) {
        throw new UsageException("--class-weight: class " + kv[0].trim() + " is not a class of "
            + "the model (0 … " + (classes - 1) + ")");
      }
      if (named[(int) c]) {
        throw new UsageException("--class-weight: class " + c + " is named twice");
      }
      named[(int) c] = true;
      double v;
      try {
        v = Double.parseDouble(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new UsageException("--class-weight: weight '" + kv[1].trim() + "' of class " + c
            + " is not a number");
      }
      if (!(v >= 0) || !Double.isFinite(v)) {
        throw new UsageException("--class-weight: the weight of class " + c + " must be a "
            + "finite number >= 0, got " + kv[1].trim());
      }
      w[(int) c] = v;
    }
    return List.of(w);
  }

  private static long parseClass(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1; // too long for a long: no class of any model
    }
  }

  /** {@code n / (K · count_c)}, as scikit-learn's {@code compute_class_weight('balanced')}. */
  private static List<Double> balanced(int classes, long[] counts, long training) {
    List<Double> out = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      if (counts[c] == 0) {
        throw new UsageException("--class-weight balanced: class " + c + " has no training "
            + "sample (its weight n / (classes · 0) is not a number)");
      }
      out.add((double) training / ((double) classes * counts[c]));
    }
    return out;
  }

  /** The count of each class among the first {@code training} samples. */
  private long[] counts(int classes, DatasetSpec dataset, long training) {
    long[] counts = new long[classes];
    if (seen == dataset.source().rows()) {
      for (int i = 0; i < training; i++) {
        counts[labels[i]]++;
      }
      return counts;
    }
    // The format checked no label (generated data): read the training chunks, a few at a time.
    DatasetSpec train = new DatasetSpec(dataset.source(), dataset.chunkSize());
    int chunks = (int) ((training + train.chunkSize() - 1) / train.chunkSize());
    for (int from = 0; from < chunks; from += 64) {
      List<Integer> group = new ArrayList<>();
      for (int c = from; c < Math.min(chunks, from + 64); c++) {
        group.add(c);
      }
      for (Segment seg : ShardLoader.load(train, group).segments()) {
        long first = train.chunkStart(seg.firstChunk());
        int at = seg.start(seg.firstChunk());
        for (int i = 0; i < seg.samples() && first + i < training; i++) {
          counts[(int) seg.y()[at + i]]++;
        }
      }
    }
    return counts;
  }
}
