package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunLog;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The summary, step table and worker table of one run, as text or JSON. */
final class RunReport {

  private final RunLog run;

  RunReport(RunLog run) {
    this.run = run;
  }

  /** The summary as a JSON object (also what the text summary prints). */
  ObjectNode summary() {
    ObjectNode s = Json.object();
    JsonNode sum = run.summary();
    JsonNode last = run.steps().isEmpty() ? null : run.steps().get(run.steps().size() - 1);
    JsonNode options = run.config().path("options");
    JsonNode data = run.config().path("dataset");
    s.put("run", run.dir().toString());
    String status = sum == null ? "running" : sum.path("status").asText("running");
    s.put("status", status);
    long planned = options.path("steps").asLong();
    long done = "running".equals(status) ? (last == null ? 0 : last.path("step").asLong() + 1)
        : sum.path("steps").asLong();
    s.put("steps", done);
    s.put("planned_steps", planned);
    if (sum != null && sum.has("initial_loss")) {
      s.set("initial_loss", sum.get("initial_loss"));
    }
    JsonNode source = sum != null && sum.has("loss") ? sum : last;
    if (source != null) {
      s.set("loss", source.get("loss"));
      if (source.has("w")) {
        s.set("w", source.get("w"));
        s.set("b", source.get("b"));
      }
      if (source.has("accuracy")) {
        s.set("accuracy", source.get("accuracy"));
      }
    }
    if (sum != null && sum.has("params") && !sum.has("w")) {
      s.set("params", sum.get("params"));
    }
    if ("synthetic".equals(data.path("kind").asText())) {
      JsonNode trueW = data.path("true_w");
      s.set("true_w", trueW.size() == 1 ? trueW.get(0) : trueW);
      s.set("true_b", data.get("true_b"));
    }
    s.put("data", describeData(data));
    s.put("workers", sum != null && sum.has("workers") ? sum.get("workers").asInt()
        : run.config().path("workers").size());
    if (sum != null && sum.has("wall_seconds")) {
      s.set("wall_seconds", sum.get("wall_seconds"));
      s.set("train_seconds", sum.get("train_seconds"));
      double train = sum.get("train_seconds").asDouble();
      if (train > 0) {
        s.put("steps_per_second", done / train);
      }
    }
    int lost = 0;
    int joined = 0;
    long ignored = 0;
    for (JsonNode step : run.steps()) {
      ignored += step.path("ignored").asLong();
      for (JsonNode e : step.path("reassignments")) {
        if ("joined".equals(e.path("reason").asText())) {
          joined++;
        } else {
          lost++;
        }
      }
    }
    s.put("workers_lost", lost);
    s.put("workers_joined", joined);
    s.put("ignored_chunk_results", ignored);
    if (sum != null && sum.has("message")) {
      s.set("message", sum.get("message"));
    }
    com.fasterxml.jackson.databind.node.ArrayNode gaps = s.putArray("log_gaps");
    for (RunLog.Gap g : run.gaps()) {
      ObjectNode gap = gaps.addObject();
      gap.put("after_step", g.afterStep());
      gap.put("through_step", g.throughStep());
      gap.put("description", g.describe());
    }
    return s;
  }

  private static String describeData(JsonNode d) {
    if ("csv".equals(d.path("kind").asText())) {
      return String.format(Locale.ROOT, "%s (%d rows), %d chunks of %d", d.path("path").asText(),
          d.path("rows").asLong(), d.path("chunks").asInt(), d.path("chunk_size").asInt());
    }
    return String.format(Locale.ROOT, "synthetic, %d samples, seed %d, %d chunks of %d",
        d.path("examples").asLong(), d.path("seed").asLong(), d.path("chunks").asInt(),
        d.path("chunk_size").asInt());
  }

  void printSummary(PrintStream out) {
    ObjectNode s = summary();
    out.printf("run:            %s%n", s.get("run").asText());
    out.printf("status:         %s (%d of %d steps)%n", s.get("status").asText(),
        s.get("steps").asLong(), s.get("planned_steps").asLong());
    if (s.has("message")) {
      out.printf("message:        %s%n", s.get("message").asText());
    }
    if (s.has("initial_loss")) {
      out.printf("initial loss:   %s%n", s.get("initial_loss"));
    }
    if (s.has("loss")) {
      out.printf("final loss:     %s%n", s.get("loss"));
      if (s.has("accuracy")) {
        out.printf("accuracy:       %s%n", s.get("accuracy"));
      }
      if (s.has("w")) {
        out.printf("W:              %s%s%n", s.get("w"), s.has("true_w") ? "   (true " + s.get("true_w") + ")" : "");
        out.printf("B:              %s%s%n", s.get("b"), s.has("true_b") ? "   (true " + s.get("true_b") + ")" : "");
      }
    }
    if (s.has("params")) {
      s.get("params").fields().forEachRemaining(e -> out.printf(Locale.ROOT,
          "%-15s %s%n", e.getKey() + ":", describe(e.getValue())));
    }
    out.printf("data:           %s%n", s.get("data").asText());
    out.printf("workers:        %d%n", s.get("workers").asInt());
    if (s.has("wall_seconds")) {
      out.printf(Locale.ROOT, "time:           %.3f s wall, %.3f s training%s%n",
          s.get("wall_seconds").asDouble(), s.get("train_seconds").asDouble(),
          s.has("steps_per_second") ? String.format(Locale.ROOT, " (%.1f steps/s)",
              s.get("steps_per_second").asDouble()) : "");
    }
    out.printf("failures:       %d worker(s) lost, %d joined during training%n",
        s.get("workers_lost").asInt(), s.get("workers_joined").asInt());
    out.printf("ignored:        %d late or foreign chunk result(s)%n",
        s.get("ignored_chunk_results").asLong());
    for (JsonNode gap : s.get("log_gaps")) {
      out.printf("log gap:        %s%n", gap.get("description").asText());
    }
  }

  /** Every {@code every}-th logged step, and always the last. */
  void printSteps(PrintStream out, int every) {
    List<JsonNode> steps = run.steps();
    if (steps.isEmpty()) {
      out.println("(no steps logged yet)");
      return;
    }
    out.printf("%8s  %-22s  %-22s  %-22s  %-12s  %9s%n", "step", "loss", "W", "B", "|grad|",
        "step ms");
    for (int i = 0; i < steps.size(); i++) {
      if (i % every == 0 || i == steps.size() - 1) {
        out.println(stepLine(steps.get(i)));
      }
    }
  }

  /** A parameter's shape and norm, from its nested arrays. */
  private static String describe(JsonNode value) {
    java.util.List<Integer> shape = new java.util.ArrayList<>();
    JsonNode n = value;
    while (n.isArray()) {
      shape.add(n.size());
      n = n.size() > 0 ? n.get(0) : com.fasterxml.jackson.databind.node.NullNode.instance;
    }
    double[] sumSq = {0};
    collect(value, sumSq);
    return String.format(Locale.ROOT, "%s, norm %.6g", shape, Math.sqrt(sumSq[0]));
  }

  private static void collect(JsonNode n, double[] sumSq) {
    if (n.isArray()) {
      n.forEach(c -> collect(c, sumSq));
    } else {
      double v = Json.number(n);
      sumSq[0] += v * v;
    }
  }

  static String stepLine(JsonNode s) {
    double gradNorm = 0;
    for (String g : new String[] {"grad_w", "grad_b"}) {
      for (double v : Json.doubles(s.get(g))) {
        gradNorm += v * v;
      }
    }
    if (s.has("grad_norm")) {
      gradNorm = Math.pow(Json.number(s.get("grad_norm")), 2);
    }
    return String.format(Locale.ROOT, "%8d  %-22s  %-22s  %-22s  %-12.6g  %9.3f",
        s.path("step").asLong(), s.get("loss"),
        s.has("w") ? s.get("w") : s.has("accuracy") ? "accuracy " + s.get("accuracy") : "-",
        s.has("b") ? s.get("b") : "-", Math.sqrt(gradNorm), s.path("step_ms").asDouble());
  }

  /** Per worker: steps it took part in, its chunks and samples at the end, mean and max compute time. */
  void printWorkers(PrintStream out) {
    Map<String, double[]> stats = new LinkedHashMap<>(); // steps, chunks, sum ms, max ms, samples
    for (JsonNode step : run.steps()) {
      for (JsonNode w : step.path("workers")) {
        double[] s = stats.computeIfAbsent(w.path("worker").asText(), k -> new double[5]);
        double ms = w.path("compute_ms").asDouble();
        s[0]++;
        s[1] = w.path("chunks").asInt();
        s[2] += ms;
        s[3] = Math.max(s[3], ms);
        s[4] = w.path("samples").asLong();
      }
    }
    if (stats.isEmpty()) {
      return;
    }
    out.printf("%-50s  %6s  %6s  %9s  %10s  %10s%n", "worker", "steps", "chunks", "samples",
        "mean ms", "max ms");
    stats.forEach((name, s) -> out.printf(Locale.ROOT, "%-50s  %6d  %6d  %9d  %10.3f  %10.3f%n",
        name, (long) s[0], (long) s[1], (long) s[4], s[2] / s[0], s[3]));
  }
}
