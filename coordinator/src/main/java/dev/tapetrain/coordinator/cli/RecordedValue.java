package dev.tapetrain.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.data.CsvFile;
import dev.tapetrain.data.DataPaths;
import dev.tapetrain.data.InputFormats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Whether an option given again to {@code --resume} has the value its run recorded in
 * config.json, so that it changes nothing and is taken: a single value under {@code options}
 * ({@code --learning-rate 0.01}), the data's own under {@code dataset} — {@code --data} (the same
 * files, however the path is written), {@code --format}, {@code --target}, {@code --features}
 * (the same columns in the same order) and the other settings of the input format
 * ({@code --examples}). Anything else (lists, flags, a value not recorded) is never the same.
 */
final class RecordedValue {

  private RecordedValue() {}

  /** Whether {@code o} was given the value {@code config} (config.json; null: unknown) records. */
  static boolean same(OptionSpec o, JsonNode config) {
    if (config == null || !config.isObject() || o.getValue() == null) {
      return false;
    }
    String name = o.longestName();
    JsonNode dataset = config.path("dataset");
    Object ours = o.getValue();
    switch (name) {
      case "--data":
        return ours instanceof List<?> given && sameFiles(given, dataset);
      case "--format":
        return dataset.path("kind").isTextual() && dataset.path("kind").asText().equals(ours);
      case "--features":
        return sameColumns(ours.toString(), dataset.path("features"));
      case "--target":
        return dataset.path("target").isTextual()
            && dataset.path("target").asText().equals(ours.toString().trim());
      default:
        String key = name.substring(2).replace('-', '_');
        JsonNode options = config.path("options");
        return sameValue(ours, options.has(key) ? options.path(key) : dataset.path(key));
    }
  }

  private static boolean sameValue(Object ours, JsonNode theirs) {
    if (!theirs.isValueNode() || theirs.isNull()) {
      return false;
    }
    if (theirs.isNumber() && ours instanceof Number n) {
      return theirs.asDouble() == n.doubleValue();
    }
    if (theirs.isNumber() && ours instanceof String s) {
      try {
        return theirs.asDouble() == Double.parseDouble(s.trim()); // a format's setting
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return theirs.isTextual() && theirs.asText().equals(ours.toString());
  }

  /** {@code --features a,b,c}: the recorded columns, in their order ('*' is not compared). */
  private static boolean sameColumns(String given, JsonNode recorded) {
    if (!recorded.isArray() || given.trim().equals("*")) {
      return false;
    }
    List<String> theirs = new ArrayList<>();
    recorded.forEach(c -> theirs.add(c.asText()));
    try {
      return CsvFile.columnList("--features", given.trim()).equals(theirs);
    } catch (RuntimeException e) {
      return false; // not a column list: the resume refuses it as a change
    }
  }

  /** {@code --data}: the run's files (one {@code path}, or {@code paths}), compared as real files. */
  private static boolean sameFiles(List<?> given, JsonNode dataset) {
    List<String> theirs = new ArrayList<>();
    if (dataset.path("path").isTextual()) {
      theirs.add(dataset.path("path").asText());
    } else if (dataset.path("paths").isTextual()) {
      theirs.addAll(List.of(dataset.path("paths").asText().split("\n")));
    } else {
      return false;
    }
    try {
      List<Path> ours = DataPaths.resolve(given.stream().map(Object::toString).toList(),
          f -> InputFormats.claimed(InputFormats.plugins(Set.of()), f));
      return real(ours).equals(real(theirs.stream().map(Path::of).toList()));
    } catch (IOException | RuntimeException e) {
      return false; // a file missing now: the resume refuses it as a change
    }
  }

  private static Set<Path> real(List<Path> files) throws IOException {
    Set<Path> out = new HashSet<>();
    for (Path f : files) {
      out.add(f.toRealPath());
    }
    return out;
  }
}
