package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.NamedTensor;
import java.util.List;

/** Numeric checks on parameter lists that the coordinator's step loop needs. */
public final class Parameters {

  private Parameters() {}

  /** ‖next − current‖ / ‖current‖ over all parameters (absolute if the norm is 0). */
  public static double relativeChange(List<NamedTensor> current, List<NamedTensor> next) {
    double diff = 0;
    double norm = 0;
    for (int p = 0; p < current.size(); p++) {
      double[] a = current.get(p).values();
      double[] b = next.get(p).values();
      for (int i = 0; i < a.length; i++) {
        diff += (b[i] - a[i]) * (b[i] - a[i]);
        norm += a[i] * a[i];
      }
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }

  /** Whether every element of every tensor is finite. */
  public static boolean allFinite(List<NamedTensor> tensors) {
    for (NamedTensor t : tensors) {
      for (double v : t.values()) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }
}
