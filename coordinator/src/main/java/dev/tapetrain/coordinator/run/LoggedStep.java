package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Reads the parameters of a steps.jsonl line (or of summary.json) the same way for every format
 * a run has written: today's lines carry {@code params} (a model of at most 100 values) or
 * {@code param_norms} (a larger one) and {@code grad_norm}; lines of older linear runs carry only
 * the model's flat fields ({@code w}, {@code b}, {@code grad_w}, {@code grad_b}). Readers name
 * no parameter themselves: the flat names come from the model
 * ({@link RunFiles#flatParameters()}).
 */
public final class LoggedStep {

  private LoggedStep() {}

  /**
   * The parameter values of {@code node} by name, as nested arrays of their shapes (a number
   * for a scalar): its {@code params}, or, for a line written before {@code params} existed, the
   * fields of the model's flat parameters {@code flat}. Null when the node carries only norms or
   * no parameters.
   */
  public static JsonNode params(JsonNode node, List<String> flat) {
    JsonNode params = node.get("params");
    if (params != null && params.isObject()) {
      return params;
    }
    if (flat.isEmpty() || node.has("param_norms")) {
      return null;
    }
    ObjectNode fields = Json.object();
    for (String name : flat) {
      if (!node.has(name)) {
        return null;
      }
      fields.set(name, node.get(name));
    }
    return fields;
  }

  /** The norm of each parameter by name ({@code param_norms}), or null when not logged. */
  public static JsonNode paramNorms(JsonNode node) {
    JsonNode norms = node.get("param_norms");
    return norms != null && norms.isObject() ? norms : null;
  }

  /**
   * The gradient's norm: {@code grad_norm}, or for an older line the norm of its flat
   * parameters' gradients ({@code grad_NAME}); NaN if the line has neither.
   */
  public static double gradNorm(JsonNode node, List<String> flat) {
    if (node.has("grad_norm")) {
      return Json.number(node.get("grad_norm"));
    }
    double sumSq = 0;
    boolean any = false;
    for (String name : flat) {
      for (double v : values(node.get("grad_" + name))) {
        sumSq += v * v;
        any = true;
      }
    }
    return any ? Math.sqrt(sumSq) : Double.NaN;
  }

  /** Every number of {@code value} (a number or nested arrays), in row-major order. */
  public static double[] values(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return new double[0];
    }
    double[] out = new double[count(value)];
    fill(value, out, 0);
    return out;
  }

  private static int count(JsonNode n) {
    if (!n.isArray()) {
      return 1;
    }
    int c = 0;
    for (JsonNode e : n) {
      c += count(e);
    }
    return c;
  }

  private static int fill(JsonNode n, double[] out, int at) {
    if (!n.isArray()) {
      out[at] = Json.number(n);
      return at + 1;
    }
    for (JsonNode e : n) {
      at = fill(e, out, at);
    }
    return at;
  }
}
