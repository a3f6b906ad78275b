package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.NamedTensor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The model every worker of a run must share. The first layout a worker reports sets it (its
 * digest and metrics, its L2 weights and, unless the run resumes, its step-0 values); every
 * later layout must have the same digest. A resumed run also requires the checkpoint's
 * parameter names and shapes. No Akka.
 */
final class ModelAgreement {

  private final String modelName;
  private final List<NamedTensor> resumedParams;
  private final LongFunction<Optional<String>> sizeLimit;
  private final Consumer<ModelLayout> onAdopted;
  private String digest = "";

  /**
   * @param modelName     the model the run asks for ({@code --model}), for messages
   * @param resumedParams a resumed run's parameters (null for a new run)
   * @param sizeLimit     why a model of that many values cannot be trained here, if it cannot
   *                      (a frame limit across machines)
   * @param onAdopted     told the layout that sets the model, once
   */
  ModelAgreement(String modelName, List<NamedTensor> resumedParams,
      LongFunction<Optional<String>> sizeLimit, Consumer<ModelLayout> onAdopted) {
    this.modelName = modelName;
    this.resumedParams = resumedParams;
    this.sizeLimit = sizeLimit;
    this.onAdopted = onAdopted;
  }

  /** Whether the run resumes from a checkpoint (so the model's step-0 values are not used). */
  boolean resumed() {
    return resumedParams != null;
  }

  /**
   * Takes the model of a worker's {@code layout}: empty if it is the run's model (the first
   * layout makes it so), else why not.
   */
  Optional<String> disagreement(ModelLayout layout) {
    if (layout.digest().isEmpty()) {
      return Optional.of("it reports no model (a worker older than model plug-ins?)");
    }
    if (!digest.isEmpty()) {
      return digest.equals(layout.digest()) ? Optional.empty()
          : Optional.of("its model differs from the other workers' (layout digest "
              + abbreviate(layout.digest()) + ", expected " + abbreviate(digest) + "): another "
              + "version of model '" + modelName + "' on its class path?");
    }
    long values = 0;
    for (NamedTensor p : layout.initialParams()) {
      values += p.size();
    }
    Optional<String> tooBig = sizeLimit.apply(values);
    if (tooBig.isPresent()) {
      return tooBig;
    }
    if (resumed() && !sameLayout(resumedParams, layout.initialParams())) {
      return Optional.of("its model " + modelName + " has parameters "
          + describe(layout.initialParams()) + ", the run has " + describe(resumedParams));
    }
    digest = layout.digest();
    onAdopted.accept(layout);
    return Optional.empty();
  }

  /** Whether two parameter lists have the same names and shapes. */
  private static boolean sameLayout(List<NamedTensor> a, List<NamedTensor> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).name().equals(b.get(i).name())
          || !Arrays.equals(a.get(i).shape(), b.get(i).shape())) {
        return false;
      }
    }
    return true;
  }

  private static String describe(List<NamedTensor> params) {
    return params.stream().map(t -> t.name() + Arrays.toString(t.shape())).toList().toString();
  }

  private static String abbreviate(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) + "…" : digest;
  }
}
