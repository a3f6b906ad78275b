package dev.tapetrain.protocol;

import java.util.List;
import java.util.Objects;

/**
 * The model a worker built, as it reports it: the parameters at step 0 (names, shapes, values),
 * the names of those that are weights (an L2 penalty applies to them), the names of its metrics,
 * and a digest of the model's name, options and all of this. Workers that disagree on the digest
 * run different models (or versions of one) and are not mixed in one run.
 *
 * @param initialParams the parameters at step 0, in the model's order
 * @param weights       the names of the weight parameters
 * @param metrics       the names of the metric sums every chunk result carries
 * @param digest        SHA-256 (hex) of the layout
 */
public record ModelLayout(List<NamedTensor> initialParams, List<String> weights,
    List<String> metrics, String digest) {

  /** No layout: a worker that did not report one (before models were plug-ins). */
  public static final ModelLayout NONE = new ModelLayout(List.of(), List.of(), List.of(), "");

  /** Copies the lists. */
  public ModelLayout {
    initialParams = List.copyOf(initialParams);
    weights = List.copyOf(weights);
    metrics = List.copyOf(metrics);
    Objects.requireNonNull(digest, "digest");
  }
}
