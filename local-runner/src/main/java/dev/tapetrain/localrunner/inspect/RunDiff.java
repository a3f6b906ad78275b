package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.LoggedStep;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.RunLog;
import dev.tapetrain.coordinator.run.StepReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Compares two runs step by step: the first step whose loss, parameters (their norms, for a
 * model that logs only those) or chained digest differ in their bits, or {@code identical}. The
 * digest chains every step, so a difference at a step that was not logged still shows at the
 * next logged one.
 *
 * <p>Both logs are read side by side, one line of each at a time, matching lines by step (a
 * step only one run logged is skipped), and reading stops at the first difference: memory does
 * not depend on the runs' lengths. A log with missing lines (a broken {@code prev} chain, or a
 * gap recorded when it was resumed) is "not comparable": what is missing is unknown. A gap
 * recorded at a resume is known before reading; one that was not is found when the reading
 * reaches it, so a difference at an earlier step, where both logs are intact, is reported as
 * the difference it is.
 */
final class RunDiff {

  private RunDiff() {}

  /**
   * The comparison's report lines; the first says "identical", "first difference …", or "not
   * comparable" when a log has gaps. Warnings about the logs (a last line cut short) go to
   * {@code warn}.
   */
  static List<String> compare(RunFiles a, RunFiles b, Consumer<String> warn) {
    for (RunFiles run : List.of(a, b)) {
      List<RunLog.Gap> recorded = run.recordedGaps();
      if (!recorded.isEmpty()) {
        return List.of(notComparable(run, recorded.size() + " gap(s): "
            + recorded.get(0).describe()));
      }
    }
    List<String> flatA = a.flatParameters();
    List<String> flatB = b.flatParameters();
    try (StepReader ra = a.steps(); StepReader rb = b.steps()) {
      Side sa = new Side(a, ra);
      Side sb = new Side(b, rb);
      long compared = 0;
      try {
        sa.advance();
        sb.advance();
        while (sa.line != null && sb.line != null) {
          if (sa.step < sb.step) {
            sa.advance();
          } else if (sb.step < sa.step) {
            sb.advance();
          } else {
            List<String> fields = differences(sa.line, flatA, sb.line, flatB);
            if (!fields.isEmpty()) {
              List<String> out = new ArrayList<>();
              out.add("first difference at step " + sa.step);
              out.addAll(fields);
              out.addAll(optionDifferences(a, b));
              return out;
            }
            compared++;
            sa.advance();
            sb.advance();
          }
        }
        while (sa.line != null) {
          sa.advance();
        }
        while (sb.line != null) {
          sb.advance();
        }
      } catch (GapFound g) {
        return List.of(notComparable(g.run, "a gap: " + g.gap.describe()));
      }
      ra.warnings().forEach(warn);
      rb.warnings().forEach(warn);
      if (compared == 0 || sa.last != sb.last) {
        List<String> out = new ArrayList<>();
        out.add("first difference after step " + Math.min(sa.last, sb.last) + ": the first run "
            + "ends at step " + sa.last + ", the second at step " + sb.last + " (" + compared
            + " common logged steps are identical)");
        out.addAll(optionDifferences(a, b));
        return out;
      }
      return List.of("identical (" + compared + " logged steps in common, bit for bit)");
    }
  }

  private static String notComparable(RunFiles run, String what) {
    return "not comparable: " + run.dir() + "/" + RunDirectory.STEPS + " has " + what;
  }

  /** One log being read: its current line and step, the last step read, its chain. */
  private static final class Side {
    final RunFiles run;
    final StepReader reader;
    final RunLog.GapCheck gaps = new RunLog.GapCheck();
    JsonNode line;
    long step;
    long last = -1;

    Side(RunFiles run, StepReader reader) {
      this.run = run;
      this.reader = reader;
    }

    void advance() {
      line = reader.next();
      if (line != null) {
        if (gaps.accept(line) > 0) {
          throw new GapFound(run, gaps.gaps().get(0));
        }
        step = line.path("step").asLong();
        last = step;
      }
    }
  }

  /** A log's first gap, which ends the comparison. */
  private static final class GapFound extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient RunFiles run;
    final transient RunLog.Gap gap;

    GapFound(RunFiles run, RunLog.Gap gap) {
      super(null, null, false, false);
      this.run = run;
      this.gap = gap;
    }
  }

  /** The report lines of every field that differs between two lines of the same step. */
  private static List<String> differences(JsonNode la, List<String> flatA, JsonNode lb,
      List<String> flatB) {
    List<String> fields = new ArrayList<>();
    if (!sameBits(la.get("loss"), lb.get("loss"))) {
      fields.add(field("loss", StepTable.text(la.get("loss")), StepTable.text(lb.get("loss"))));
    }
    JsonNode pa = LoggedStep.params(la, flatA);
    JsonNode pb = LoggedStep.params(lb, flatB);
    String kind = "";
    if (pa == null && pb == null) {
      pa = LoggedStep.paramNorms(la);
      pb = LoggedStep.paramNorms(lb);
      kind = "norm of ";
    }
    if (pa != null || pb != null) {
      for (String name : names(pa, pb)) {
        JsonNode va = pa == null ? null : pa.get(name);
        JsonNode vb = pb == null ? null : pb.get(name);
        if (!sameBits(va, vb)) {
          fields.add(describe(kind + name, va, vb));
        }
      }
    }
    if (!sameBits(la.get("digest"), lb.get("digest"))) {
      fields.add(field("digest", String.valueOf(la.get("digest")),
          String.valueOf(lb.get("digest"))));
    }
    return fields;
  }

  private static List<String> names(JsonNode a, JsonNode b) {
    List<String> names = new ArrayList<>();
    for (JsonNode n : new JsonNode[] {a, b}) {
      if (n != null) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          if (!names.contains(name)) {
            names.add(name);
          }
        }
      }
    }
    return names;
  }

  private static String field(String name, String a, String b) {
    return String.format(Locale.ROOT, "  %-7s %s  vs  %s", name + ":", a, b);
  }

  /**
   * A parameter that differs: its values when it has a few, else its first differing value
   * with its index ({@code w1[0][2]}), or its size and norm when the shapes differ.
   */
  private static String describe(String name, JsonNode a, JsonNode b) {
    double[] va = LoggedStep.values(a);
    double[] vb = LoggedStep.values(b);
    if (a == null || b == null || va.length != vb.length || va.length <= 4) {
      return field(name, brief(a, va), brief(b, vb));
    }
    int i = 0;
    while (Double.doubleToRawLongBits(va[i]) == Double.doubleToRawLongBits(vb[i])) {
      i++;
    }
    return field(name + index(a, i), Double.toString(va[i]), Double.toString(vb[i]));
  }

  private static String brief(JsonNode value, double[] values) {
    if (value == null) {
      return "(none)";
    }
    if (values.length <= 4) {
      return StepTable.flatText(value);
    }
    double sumSq = 0;
    for (double v : values) {
      sumSq += v * v;
    }
    return String.format(Locale.ROOT, "(%d values, norm %s)", values.length,
        Math.sqrt(sumSq));
  }

  /** The nested index of the {@code i}-th value (row-major) of nested arrays, e.g. [0][2]. */
  private static String index(JsonNode value, int i) {
    StringBuilder s = new StringBuilder();
    JsonNode n = value;
    while (n.isArray() && n.size() > 0) {
      int per = LoggedStep.values(n.get(0)).length;
      s.append('[').append(i / per).append(']');
      n = n.get(i / per);
      i %= per;
    }
    return s.toString();
  }

  private static boolean sameBits(JsonNode x, JsonNode y) {
    if (x == null || y == null) {
      return x == y;
    }
    if (x.isTextual() && y.isTextual()) {
      return x.asText().equals(y.asText());
    }
    if (x.isArray() != y.isArray() || x.size() != y.size()) {
      return false;
    }
    double[] dx = LoggedStep.values(x);
    double[] dy = LoggedStep.values(y);
    if (dx.length != dy.length) {
      return false;
    }
    for (int i = 0; i < dx.length; i++) {
      if (Double.doubleToRawLongBits(dx[i]) != Double.doubleToRawLongBits(dy[i])) {
        return false;
      }
    }
    return true;
  }

  private static List<String> optionDifferences(RunFiles a, RunFiles b) {
    List<String> out = new ArrayList<>();
    boolean data = false;
    for (String section : new String[] {"options", "dataset"}) {
      // config.json's dataset fields (path, digest, rows, …) are the data's, not options.
      String label = section.equals("dataset") ? "data" : "option";
      JsonNode oa = a.config().path(section);
      JsonNode ob = b.config().path(section);
      List<String> names = new ArrayList<>();
      oa.fieldNames().forEachRemaining(names::add);
      for (Iterator<String> it = ob.fieldNames(); it.hasNext(); ) {
        String n = it.next();
        if (!names.contains(n)) {
          names.add(n);
        }
      }
      for (String n : names) {
        if (!oa.path(n).equals(ob.path(n))) {
          out.add(String.format("  %s %s: %s  vs  %s", label, n, oa.path(n), ob.path(n)));
          data |= section.equals("dataset");
        }
      }
    }
    if (out.isEmpty()) {
      out.add("  no option differs");
    } else {
      out.add(0, data ? "options and data that differ:" : "options that differ:");
    }
    return out;
  }

  static boolean identical(List<String> report) {
    return report.get(0).startsWith("identical");
  }
}
