package dev.tapetrain.worker.shard;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.protocol.Hashing;
import dev.tapetrain.protocol.ModelLayout;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link ModelLayout} a worker reports for the model it built: what the coordinator starts
 * from (the step-0 values), applies L2 to (the weights), reduces (the metrics), and the digest
 * that tells two versions of a model apart.
 */
public final class ModelLayouts {

  private ModelLayouts() {}

  /** The layout of {@code model}, built for {@code spec}. */
  public static ModelLayout of(ModelSpec spec, Model model) {
    List<NamedTensor> initial = initialValues(model);
    List<String> weights = new ArrayList<>();
    StringBuilder text = new StringBuilder(spec.name()).append(';').append(model.getClass()
        .getName());
    for (Parameter p : model.parameters()) {
      if (p.weight()) {
        weights.add(p.name());
      }
      text.append(';').append(p.name()).append(java.util.Arrays.toString(p.shape()))
          .append(p.weight() ? 'w' : 'b');
      for (double v : p.initial()) {
        text.append(',').append(Long.toHexString(Double.doubleToRawLongBits(v)));
      }
    }
    text.append(";metrics=").append(model.metrics());
    return new ModelLayout(initial, weights, model.metrics(),
        Hashing.sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** The step-0 values of {@code model}'s parameters. */
  public static List<NamedTensor> initialValues(Model model) {
    List<NamedTensor> out = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      out.add(new NamedTensor(p.name(), p.shape(), p.initial()));
    }
    return out;
  }
}
