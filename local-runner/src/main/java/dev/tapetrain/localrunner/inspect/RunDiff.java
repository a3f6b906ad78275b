package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Compares two runs step by step: the first step whose loss, W, B or chained digest differ in
 * their bits, or {@code identical}. The digest chains every step, so a difference at a step that
 * was not logged still shows at the next logged one.
 */
final class RunDiff {

  private RunDiff() {}

  /**
   * The comparison's report lines; the first says "identical", "first difference …", or "not
   * comparable" when a log has gaps.
   */
  static List<String> compare(RunLog a, RunLog b) {
    List<String> out = new ArrayList<>();
    // A log with missing lines cannot be called identical to anything: what is missing is unknown.
    for (RunLog run : List.of(a, b)) {
      List<RunLog.Gap> gaps = run.gaps();
      if (!gaps.isEmpty()) {
        out.add("not comparable: " + run.dir() + "/" + dev.tapetrain.coordinator.run.RunDirectory
            .STEPS + " has " + gaps.size() + " gap(s): " + gaps.get(0).describe());
      }
    }
    if (!out.isEmpty()) {
      return out;
    }
    Map<Long, JsonNode> bySteps = new HashMap<>();
    b.steps().forEach(s -> bySteps.put(s.path("step").asLong(), s));
    long compared = 0;
    for (JsonNode sa : a.steps()) {
      long step = sa.path("step").asLong();
      JsonNode sb = bySteps.get(step);
      if (sb == null) {
        continue;
      }
      compared++;
      List<String> fields = new ArrayList<>();
      for (String f : new String[] {"loss", "w", "b", "digest"}) {
        if (!sameBits(sa.get(f), sb.get(f))) {
          fields.add(String.format("  %-7s %s  vs  %s", f + ":", sa.get(f), sb.get(f)));
        }
      }
      if (!fields.isEmpty()) {
        out.add("first difference at step " + step);
        out.addAll(fields);
        out.addAll(optionDifferences(a, b));
        return out;
      }
    }
    long lastA = a.steps().isEmpty() ? -1 : a.steps().get(a.steps().size() - 1).path("step")
        .asLong();
    long lastB = b.steps().isEmpty() ? -1 : b.steps().get(b.steps().size() - 1).path("step")
        .asLong();
    if (compared == 0 || lastA != lastB) {
      out.add("first difference after step " + Math.min(lastA, lastB) + ": the first run ends "
          + "at step " + lastA + ", the second at step " + lastB + " (" + compared
          + " common logged steps are identical)");
      out.addAll(optionDifferences(a, b));
      return out;
    }
    out.add("identical (" + compared + " logged steps in common, bit for bit)");
    return out;
  }

  private static boolean sameBits(JsonNode x, JsonNode y) {
    if (x == null || y == null) {
      return x == y;
    }
    if (x.isTextual() && y.isTextual()) {
      return x.asText().equals(y.asText());
    }
    double[] dx = Json.doubles(x);
    double[] dy = Json.doubles(y);
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

  private static List<String> optionDifferences(RunLog a, RunLog b) {
    List<String> out = new ArrayList<>();
    for (String section : new String[] {"options", "dataset"}) {
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
          out.add(String.format("  option %s: %s  vs  %s", n, oa.path(n), ob.path(n)));
        }
      }
    }
    if (out.isEmpty()) {
      out.add("  no option differs");
    } else {
      out.add(0, "options that differ:");
    }
    return out;
  }

  static boolean identical(List<String> report) {
    return report.get(0).startsWith("identical");
  }


}
