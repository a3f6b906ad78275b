package dev.tapetrain.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.spi.Settings;
import dev.tapetrain.spi.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --features '*'} given again to {@code --resume}: taken when '*' picks, in the run's
 * data, the columns the run recorded (a script that started the run with '*' repeats it, as
 * {@code --resume-if-exists} already took it), refused in one line naming both lists when it
 * does not. The columns '*' picks are found by the run's own input format reading the first
 * data file, so the rule is the scan's own (index and unnamed columns left out), not a copy;
 * that reads the file once more, as {@code --resume-if-exists}'s scan does.
 */
final class RecordedEvery {

  private RecordedEvery() {}

  /**
   * Returns if '*' picks the columns {@code config} (config.json) records for the run's data.
   *
   * @throws UsageException naming the difference, or why it cannot be told
   */
  static void check(JsonNode config) {
    JsonNode d = config == null ? null : config.path("dataset");
    List<String> recorded = new ArrayList<>();
    if (d != null && d.path("features").isArray()) {
      d.path("features").forEach(c -> recorded.add(c.asText()));
    }
    String first = d == null ? null : d.path("path").isTextual() ? d.path("path").asText()
        : d.path("paths").isTextual() ? d.path("paths").asText().split("\n")[0] : null;
    if (first == null || recorded.isEmpty() || !d.path("target").isTextual()) {
      throw new UsageException("--resume: --features '*' cannot be checked against this run's "
          + "data (it has no data files recorded); leave --features out");
    }
    Path file = Path.of(first);
    List<String> picked;
    try {
      InputFormat format = InputFormats.plugins(Set.of()).get(d.path("kind").asText(),
          "--resume: the run's data");
      Settings settings = Settings.of(format.settings(), Map.of("features", "*", "target",
          d.path("target").asText()), n -> "--" + n);
      picked = format.scan(new InputFormat.Request(file, settings, 0, 0,
          new InputFormat.OrderFree(y -> null), List.of(file))).source().columns();
    } catch (UserError e) {
      throw new UsageException("--resume: --features '*': " + e.getMessage());
    }
    if (!picked.equals(recorded)) {
      throw new UsageException("--resume: --features '*' picks " + String.join(",", picked)
          + " in " + file.getFileName() + ", but the run trained on "
          + String.join(",", recorded) + " (give those, leave --features out, or start a new "
          + "run)");
    }
  }
}
