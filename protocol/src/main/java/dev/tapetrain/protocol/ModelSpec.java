package dev.tapetrain.protocol;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The model of a run as the coordinator sends it to workers: a name each worker looks up on its
 * own class path (built-in or a user's), and what its shapes and initial values follow from.
 * Never code.
 *
 * @param name     {@code --model}: linear, logistic, softmax, mlp, or a user's model
 * @param classes  {@code --classes}: the classes of a classifier (at least 2), 0 for regression
 * @param seed     {@code --seed}: seed of random initial values
 * @param settings the model's declared settings by name, each as its canonical text (see the
 *                 {@code spi} module's {@code Setting}), sorted by name
 * @param classWeights {@code --class-weight}: the weight of each class 0 .. classes − 1 on a
 *                 training sample's loss (Keras' {@code class_weight}); empty: unweighted
 */
public record ModelSpec(String name, int classes, long seed, Map<String, String> settings,
    List<Double> classWeights) {

  /** The default model, the tutorial's. */
  public static final String LINEAR = "linear";

  /** Validates the fields; messages name the option. */
  public ModelSpec {
    Objects.requireNonNull(name, "name");
    settings = Collections.unmodifiableMap(new TreeMap<>(settings));
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("--model: '" + name + "' is not a model name "
          + "(lower-case letters, digits and dashes)");
    }
    if (classes == 1 || classes < 0) {
      throw new IllegalArgumentException("--classes must be at least 2, got " + classes);
    }
    classWeights = List.copyOf(classWeights);
    if (!classWeights.isEmpty() && classWeights.size() != classes) {
      throw new IllegalArgumentException("--class-weight: " + classWeights.size()
          + " weights for a model of " + classes + " classes");
    }
    for (double w : classWeights) {
      if (!(w >= 0) || !Double.isFinite(w)) {
        throw new IllegalArgumentException("--class-weight: a weight must be a finite number "
            + ">= 0, got " + w);
      }
    }
  }

  /** A model without class weights. */
  public ModelSpec(String name, int classes, long seed, Map<String, String> settings) {
    this(name, classes, seed, settings, List.of());
  }

  /** Whether training samples' losses are weighted by their class. */
  public boolean weighted() {
    return !classWeights.isEmpty();
  }

  /** The tutorial's model with its default settings. */
  public static ModelSpec linear(long seed) {
    return new ModelSpec(LINEAR, 0, seed, Map.of());
  }
}
