package dev.tapetrain.coordinator.run;

import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.protocol.NamedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What TensorBoard shows of a step: the loss, the model's metrics, the learning rate, the step
 * time, the gradient norm, and each parameter (a scalar as itself, a tensor as its norm). The
 * tags are made at the first step, the values every step.
 */
final class StepScalars {

  private List<String> tags;

  /** The tags of every step's scalars (made once, from the first step). */
  List<String> tags(StepRecord r, List<String> metricNames) {
    if (tags == null) {
      int metrics = Math.min(r.metrics().size(), metricNames.size());
      List<String> t = new ArrayList<>(List.of("loss"));
      t.addAll(metricNames.subList(0, metrics));
      t.addAll(List.of("learning_rate", "step_ms", "grad_norm"));
      for (NamedTensor p : r.params()) {
        t.add((p.shape().length == 0 ? "param/" : "param_norm/") + p.name());
      }
      tags = List.copyOf(t);
    }
    return tags;
  }

  /** {@code r}'s values, in the order of {@link #tags}. */
  double[] values(StepRecord r, List<String> metricNames) {
    int metrics = Math.min(r.metrics().size(), metricNames.size());
    double[] v = new double[tags(r, metricNames).size()];
    int k = 0;
    v[k++] = r.loss();
    for (int i = 0; i < metrics; i++) {
      v[k++] = r.metrics().get(i);
    }
    v[k++] = r.learningRate();
    v[k++] = r.stepNanos() / 1e6;
    v[k++] = RunDirectory.norm(r.gradients());
    for (NamedTensor p : r.params()) {
      v[k++] = p.shape().length == 0 ? p.values()[0] : RunDirectory.norm(List.of(p));
    }
    return v;
  }
}
