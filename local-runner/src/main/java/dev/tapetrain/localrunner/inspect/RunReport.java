package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.LoggedStep;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.RunLog;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary and worker table of one run, as text or JSON, gathered from its logged lines one
 * at a time: it keeps the last line, counters, the first gaps and per-worker totals — nothing
 * that grows with the run's length.
 *
 * <p>Use: {@link #accept} for every logged line in order, then {@link #summary},
 * {@link #printSummary} and {@link #printWorkers}.
 */
final class RunReport {

  private RunFiles run;
  private final List<String> flat;
  private JsonNode last;
  private int lost;
  private int joined;
  private long ignored;
  private final RunLog.GapCheck gaps = new RunLog.GapCheck();
  // Per worker: steps, chunks, sum ms, max ms, samples.
  private final Map<String, double[]> workers = new LinkedHashMap<>();

  RunReport(RunFiles run) {
    this.run = run;
    this.flat = run.flatParameters();
  }

  /** The run's files as read again later (a followed run that has ended). */
  void update(RunFiles latest) {
    this.run = latest;
  }

  /** Takes the next logged line. */
  void accept(JsonNode line) {
    last = line;
    gaps.accept(line);
    ignored += line.path("ignored").asLong();
    for (JsonNode e : line.path("reassignments")) {
      if ("joined".equals(e.path("reason").asText())) {
        joined++;
      } else {
        lost++;
      }
    }
    for (JsonNode w : line.path("workers")) {
      double[] s = workers.computeIfAbsent(w.path("worker").asText(), k -> new double[5]);
      double ms = w.path("compute_ms").asDouble();
      s[0]++;
      s[1] = w.path("chunks").asInt();
      s[2] += ms;
      s[3] = Math.max(s[3], ms);
      s[4] = w.path("samples").asLong();
    }
  }

  /** The summary as a JSON object (also what the text summary prints). */
  ObjectNode summary() {
    ObjectNode s = Json.object();
    JsonNode sum = run.summary();
    JsonNode options = run.config().path("options");
    JsonNode data = run.config().path("dataset");
    s.put("run", run.dir().toString());
    RunFiles.Status status = run.status();
    s.put("status", status.name());
    if (status.detail() != null) {
      s.put("status_detail", status.detail());
    }
    boolean live = sum == null || "running".equals(sum.path("status").asText("running"));
    long planned = options.path("steps").asLong();
    long done = live ? (last == null ? 0 : last.path("step").asLong() + 1)
        : sum.path("steps").asLong();
    s.put("steps", done);
    s.put("planned_steps", planned);
    // A run that ended before its first update (a model or data error at the initial loss, a
    // worker that could not start, a signal): its summary's NaN losses and initial parameters
    // are no result, so they are not shown as one; its status and message say why it ended.
    // A run of --steps 0 completed with its initial loss and parameters: that is its result.
    boolean untrained = !live && done == 0 && !"completed".equals(sum.path("status").asText());
    if (untrained) {
      s.put("no_step_trained", true);
    }
    if (sum != null && sum.has("initial_loss")
        && (!untrained || Double.isFinite(Json.number(sum.get("initial_loss"))))) {
      s.set("initial_loss", sum.get("initial_loss"));
    }
    JsonNode source = untrained ? null : sum != null && sum.has("loss") ? sum : last;
    if (source != null) {
      s.set("loss", source.get("loss"));
      if (source == last) {
        // Not the run's final loss (it has none yet, or never will): the last logged step's,
        // which in mini-batch training is one batch's loss, not over every training sample.
        s.put("loss_step", last.path("step").asLong());
        s.put("loss_of", options.path("batch_size").asLong() > 0
            || options.path("batch_fraction").asDouble(1) < 1 ? "mini-batch" : "training data");
      }
      JsonNode params = LoggedStep.params(source, flat);
      for (String name : flat) {
        if (params != null && params.has(name)) {
          s.set(name, flatView(params.get(name)));
        }
      }
      for (String metric : run.metrics()) {
        if (source.has(metric)) {
          s.set(metric, source.get(metric));
        }
      }
      if (flat.isEmpty()) {
        if (params != null) {
          s.set("params", params);
        } else if (LoggedStep.paramNorms(source) != null) {
          s.set("param_norms", LoggedStep.paramNorms(source));
        }
      }
    }
    if ("synthetic".equals(data.path("kind").asText())) {
      for (String name : flat) {
        JsonNode truth = data.path("true_" + name);
        if (!truth.isMissingNode()) {
          s.set("true_" + name, truth.isArray() && truth.size() == 1 ? truth.get(0) : truth);
        }
      }
    }
    s.put("data", describeData(data));
    s.put("workers", sum != null && sum.has("workers") ? sum.get("workers").asInt()
        : run.config().path("workers").size());
    if (sum != null && sum.has("wall_seconds")) {
      s.set("wall_seconds", sum.get("wall_seconds"));
      s.set("train_seconds", sum.get("train_seconds"));
      double train = sum.get("train_seconds").asDouble();
      if (train > 0 && done > 0) {
        s.put("steps_per_second", done / train);
      }
    } else if (sum != null && sum.has("started_at") && "running".equals(status.name())) {
      // A run going on has no times in its summary yet: how long its process has run it.
      try {
        java.time.Instant started = java.time.Instant.parse(sum.get("started_at").asText());
        s.set("started_at", sum.get("started_at"));
        s.put("running_seconds",
            java.time.Duration.between(started, java.time.Instant.now()).toMillis() / 1000.0);
      } catch (java.time.format.DateTimeParseException e) {
        // Not a time this version wrote: nothing to show.
      }
    }
    s.put("workers_lost", lost);
    s.put("workers_joined", joined);
    s.put("ignored_chunk_results", ignored);
    if (sum != null && sum.has("message")) {
      s.set("message", sum.get("message"));
    }
    ArrayNode gapList = s.putArray("log_gaps");
    for (RunLog.Gap g : gaps.gaps()) {
      ObjectNode gap = gapList.addObject();
      gap.put("after_step", g.afterStep());
      gap.put("through_step", g.throughStep());
      gap.put("description", g.describe());
    }
    if (gaps.count() > gaps.gaps().size()) {
      s.put("log_gaps_total", gaps.count());
    }
    return s;
  }

  /** A flat parameter as the summary shows it: a number, or an array of all its values. */
  private static JsonNode flatView(JsonNode value) {
    if (!value.isArray()) {
      return value;
    }
    ArrayNode a = Json.MAPPER.createArrayNode();
    for (double v : LoggedStep.values(value)) {
      a.add(v);
    }
    return a;
  }

  /**
   * The run's data in one line: its file (or how many files, the first and the last), its
   * format and rows, and its chunks; synthetic data by its size and seed.
   */
  static String describeData(JsonNode d) {
    String chunks = String.format(Locale.ROOT, ", %d chunks of %d", d.path("chunks").asInt(),
        d.path("chunk_size").asInt());
    String kind = d.path("kind").asText();
    if ("synthetic".equals(kind)) {
      return String.format(Locale.ROOT, "synthetic, %d samples, seed %d", d.path("examples")
          .asLong(), d.path("seed").asLong()) + chunks;
    }
    String where;
    if (d.path("path").isTextual()) {
      where = d.path("path").asText();
    } else if (d.path("paths").isTextual()) {
      String[] paths = d.path("paths").asText().split("\n");
      where = paths.length == 1 ? paths[0]
          : paths.length + " files, " + paths[0] + " … " + paths[paths.length - 1];
    } else {
      where = "from its input format"; // a format of files or of anything else
    }
    return String.format(Locale.ROOT, "%s (%s, %d rows)", where, kind, d.path("rows").asLong())
        + chunks;
  }

  void printSummary(PrintStream out) {
    ObjectNode s = summary();
    out.printf("run:            %s%n", s.get("run").asText());
    String status = s.get("status").asText();
    if (s.has("status_detail")) {
      out.printf("status:         %s (%s), %d of %d steps%n", status,
          s.get("status_detail").asText(), s.get("steps").asLong(),
          s.get("planned_steps").asLong());
    } else {
      out.printf("status:         %s (%d of %d steps)%n", status, s.get("steps").asLong(),
          s.get("planned_steps").asLong());
    }
    if (s.has("message")) {
      out.printf("message:        %s%n", s.get("message").asText());
    }
    if (s.has("initial_loss")) {
      out.printf("initial loss:   %s%n", StepTable.text(s.get("initial_loss")));
    }
    if (s.has("no_step_trained")) {
      out.printf("trained:        no step: the run ended %s before its first update (no loss "
          + "or parameters to show)%n", status);
    }
    if (s.has("loss")) {
      if (s.has("loss_step")) {
        out.printf("last loss:      %s   (logged at step %d, %s%s)%n",
            StepTable.text(s.get("loss")), s.get("loss_step").asLong(),
            "mini-batch".equals(s.get("loss_of").asText()) ? "one mini-batch's"
                : "the training data's", "running".equals(status) ? "; the run has not ended" : "");
      } else {
        out.printf("final loss:     %s   (all training samples, final parameters)%n",
            StepTable.text(s.get("loss")));
      }
      for (String metric : run.metrics()) {
        if (s.has(metric)) {
          out.printf(Locale.ROOT, "%-15s %s%n", metric + ":", s.get(metric));
        }
      }
      for (String name : flat) {
        if (s.has(name)) {
          out.printf(Locale.ROOT, "%-15s %s%s%n", name.toUpperCase(Locale.ROOT) + ":",
              s.get(name), s.has("true_" + name) ? "   (true " + s.get("true_" + name) + ")"
                  : "");
        }
      }
    }
    if (s.has("params")) {
      s.get("params").fields().forEachRemaining(e -> out.printf(Locale.ROOT,
          "%-15s %s%n", e.getKey() + ":", describe(e.getValue())));
    } else if (s.has("param_norms")) {
      s.get("param_norms").fields().forEachRemaining(e -> out.printf(Locale.ROOT,
          "%-15s norm %.6g%n", e.getKey() + ":", Json.number(e.getValue())));
    }
    out.printf("data:           %s%n", s.get("data").asText());
    if (!s.has("no_step_trained")) {
      out.printf("workers:        %d%n", s.get("workers").asInt());
    } else if (s.get("workers").asInt() > 0) {
      out.printf("workers:        %d started, none trained a step%n", s.get("workers").asInt());
    }
    if (s.has("wall_seconds")) {
      out.printf(Locale.ROOT, "time:           %.3f s wall, %.3f s training%s%n",
          s.get("wall_seconds").asDouble(), s.get("train_seconds").asDouble(),
          s.has("steps_per_second") ? String.format(Locale.ROOT, " (%.1f steps/s)",
              s.get("steps_per_second").asDouble()) : "");
    }
    if (s.has("running_seconds")) {
      out.printf(Locale.ROOT, "time:           %.3f s so far, still running (started %s)%n",
          s.get("running_seconds").asDouble(), s.get("started_at").asText());
    }
    out.printf("failures:       %d worker(s) lost, %d joined during training%n",
        s.get("workers_lost").asInt(), s.get("workers_joined").asInt());
    out.printf("ignored:        %d late or foreign chunk result(s)%n",
        s.get("ignored_chunk_results").asLong());
    for (JsonNode gap : s.get("log_gaps")) {
      out.printf("log gap:        %s%n", gap.get("description").asText());
    }
    if (s.has("log_gaps_total")) {
      out.printf("log gap:        … %d gaps in all%n", s.get("log_gaps_total").asLong());
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
    double[] values = LoggedStep.values(value);
    if (values.length == 1) { // one number: itself (a slope's sign), as the console shows it
      return shape + " = " + values[0];
    }
    double sumSq = 0;
    for (double v : values) {
      sumSq += v * v;
    }
    return String.format(Locale.ROOT, "%s, norm %.6g", shape, Math.sqrt(sumSq));
  }

  /**
   * Per worker: the logged steps it took part in (every step only with --log-every 1), its
   * chunks and samples in the last of them, and its mean and max compute time over them.
   */
  void printWorkers(PrintStream out) {
    if (workers.isEmpty()) {
      return;
    }
    out.printf("%-50s  %6s  %6s  %9s  %10s  %10s%n", "worker", "logged", "chunks", "samples",
        "mean ms", "max ms");
    workers.forEach((name, s) -> out.printf(Locale.ROOT, "%-50s  %6d  %6d  %9d  %10.3f  %10.3f%n",
        name, (long) s[0], (long) s[1], (long) s[4], s[2] / s[0], s[3]));
  }
}
