package dev.tapetrain.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunConfig;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which options of a recorded run (its config.json) a command line asks otherwise, in words for
 * a refusal: "--learning-rate 0.01 in the run, 0.5 here". {@code --resume-if-exists} said only
 * that they differ, where {@code inspect A B} names them (a new-user test round, 2026-12-07).
 */
final class OptionDifferences {

  /** Named at most, the rest counted. */
  private static final int SHOWN = 3;

  private OptionDifferences() {}

  /**
   * The options of {@code config} (config.json) whose values {@code wanted} does not have, but
   * for {@code ignored} ones; empty if none is found there (the difference is elsewhere).
   */
  static String between(JsonNode config, RunSpec wanted, Set<String> ignored) {
    JsonNode theirs = config == null ? null : config.path("options");
    if (theirs == null || !theirs.isObject()) {
      return "";
    }
    JsonNode ours;
    try {
      // Through the text, so that numbers compare as they read back (200 as an int).
      ours = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(RunConfig.options(wanted)));
    } catch (JsonProcessingException e) {
      return "";
    }
    Set<String> names = new TreeSet<>();
    theirs.fieldNames().forEachRemaining(names::add);
    ours.fieldNames().forEachRemaining(names::add);
    List<String> differ = new ArrayList<>();
    for (String name : names) {
      if (!ignored.contains(name) && !theirs.path(name).equals(ours.path(name))) {
        differ.add("--" + name.replace('_', '-') + " " + text(theirs.path(name)) + " in the run, "
            + text(ours.path(name)) + " here");
      }
    }
    if (differ.size() > SHOWN) {
      int more = differ.size() - SHOWN;
      differ = new ArrayList<>(differ.subList(0, SHOWN));
      differ.add("and " + more + " more");
    }
    return String.join("; ", differ);
  }

  private static String text(JsonNode value) {
    if (value.isMissingNode() || value.isNull()) {
      return "unset";
    }
    return value.isTextual() ? value.asText() : value.toString();
  }
}
