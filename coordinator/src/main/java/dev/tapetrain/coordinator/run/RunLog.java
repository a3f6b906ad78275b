package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run directory read back: its config, the logged steps and, once the run has ended (or while
 * it runs, {@code status: running}), its summary. Also reads a run still being written: a last
 * line cut short by a crash is skipped and reported in {@link #warnings()}.
 *
 * @param dir      the directory
 * @param config   config.json
 * @param steps    the lines of steps.jsonl that parse, in order
 * @param summary  summary.json, or null if there is none yet
 * @param warnings problems tolerated while reading (one line each)
 */
public record RunLog(Path dir, JsonNode config, List<JsonNode> steps, JsonNode summary,
    List<String> warnings) {

  /**
   * Reads {@code dir}.
   *
   * @throws RunDirectoryException if it is not a run directory or a file is corrupt
   */
  public static RunLog read(Path dir) {
    Path config = dir.resolve(RunDirectory.CONFIG);
    if (!Files.isDirectory(dir)) {
      throw new RunDirectoryException(dir + ": no such directory");
    }
    if (!Files.isRegularFile(config)) {
      throw new RunDirectoryException(dir + ": not a run directory (no " + RunDirectory.CONFIG
          + ")");
    }
    List<String> warnings = new ArrayList<>();
    JsonNode configNode = readJson(config);
    Path summaryFile = dir.resolve(RunDirectory.SUMMARY);
    JsonNode summary = Files.isRegularFile(summaryFile) ? readJson(summaryFile) : null;
    List<JsonNode> steps = new ArrayList<>();
    Path stepsFile = dir.resolve(RunDirectory.STEPS);
    if (Files.isRegularFile(stepsFile)) {
      List<String> lines = readLines(stepsFile);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          continue;
        }
        try {
          steps.add(Json.MAPPER.readTree(line));
        } catch (JsonProcessingException e) {
          if (i == lines.size() - 1) {
            warnings.add(stepsFile + ":" + (i + 1) + ": last line is incomplete (the run was "
                + "stopped while writing it); ignored");
          } else {
            throw new RunDirectoryException(stepsFile + ":" + (i + 1) + ": not valid JSON");
          }
        }
      }
    }
    return new RunLog(dir, configNode, steps, summary, warnings);
  }

  /**
   * Logged steps missing from steps.jsonl: each line names the step of the line written before
   * it ({@code prev}), so a line lost between two others (a cut or deleted log, a second writer)
   * breaks the chain. Lines written before {@code prev} existed are not checked.
   *
   * @param afterStep   the last step present before the gap (-1: from the start)
   * @param throughStep the last missing logged step
   */
  public record Gap(long afterStep, long throughStep) {
    /** One line for people. */
    public String describe() {
      return afterStep >= throughStep
          ? "step " + (afterStep) + " logged out of order (a second writer?)"
          : "logged steps " + (afterStep < 0 ? "from the start" : "after " + afterStep)
              + " through " + throughStep + " are missing";
    }
  }

  /** The gaps of this log, in order; empty for a complete log. */
  public List<Gap> gaps() {
    List<Gap> gaps = new ArrayList<>();
    long previous = -1;
    boolean first = true;
    for (JsonNode line : steps) {
      long step = line.path("step").asLong();
      if (line.has("prev")) {
        long prev = line.get("prev").asLong();
        if (prev != previous && (!first || prev >= 0)) {
          gaps.add(new Gap(previous, prev));
        }
      }
      if (!first && step <= previous) {
        gaps.add(new Gap(step, step));
      }
      previous = step;
      first = false;
    }
    return gaps;
  }

  /** Whether the run has ended (its summary says anything but running). */
  public boolean finished() {
    return summary != null && !"running".equals(summary.path("status").asText());
  }

  private static JsonNode readJson(Path file) {
    try {
      return Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new RunDirectoryException(file + ": not valid JSON (" + e.getMessage().lines()
          .findFirst().orElse("") + ")");
    }
  }

  private static List<String> readLines(Path file) {
    try {
      return List.of(Files.readString(file, StandardCharsets.UTF_8).split("\n", -1));
    } catch (IOException e) {
      throw new RunDirectoryException(file + ": cannot read: " + e.getMessage());
    }
  }
}
