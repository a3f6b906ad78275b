package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run directory read back whole: its config, every logged step and, once the run has ended
 * (or while it runs, {@code status: running}), its summary. Holds every line in memory, which is
 * what a resume needs (it rewrites the log); readers of logs of any length use {@link RunFiles}
 * and a {@link StepReader} instead. A last line cut short by a crash is skipped and reported in
 * {@link #warnings()}.
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
    RunFiles files = RunFiles.read(dir);
    List<JsonNode> steps = new ArrayList<>();
    try (StepReader reader = files.steps()) {
      for (JsonNode line = reader.next(); line != null; line = reader.next()) {
        steps.add(line);
      }
      return new RunLog(dir, files.config(), steps, files.summary(), reader.warnings());
    }
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

  /**
   * Finds the {@linkplain Gap gaps} of a log read line by line, in constant memory: give it
   * every line in order ({@link #accept}); it keeps the first {@value #KEPT} gaps and counts
   * all.
   */
  public static final class GapCheck {
    /** How many gaps are kept for {@link #gaps()}; more are only counted. */
    public static final int KEPT = 100;
    private final List<Gap> gaps = new ArrayList<>();
    private long count;
    private long previous = -1;
    private boolean first = true;

    /** Checks the next line of the log; returns the number of gaps it revealed (0, 1 or 2). */
    public int accept(JsonNode line) {
      long before = count;
      long step = line.path("step").asLong();
      if (line.has("prev")) {
        long prev = line.get("prev").asLong();
        if (prev != previous && (!first || prev >= 0)) {
          add(new Gap(previous, prev));
        }
      }
      if (!first && step <= previous) {
        add(new Gap(step, step));
      }
      previous = step;
      first = false;
      return (int) (count - before);
    }

    private void add(Gap gap) {
      count++;
      if (gaps.size() < KEPT) {
        gaps.add(gap);
      }
    }

    /** The first {@value #KEPT} gaps found so far, in order. */
    public List<Gap> gaps() {
      return List.copyOf(gaps);
    }

    /** How many gaps were found so far. */
    public long count() {
      return count;
    }
  }

  /** The gaps of this log, in order (the first {@value GapCheck#KEPT}); empty for a complete log. */
  public List<Gap> gaps() {
    GapCheck check = new GapCheck();
    steps.forEach(check::accept);
    return check.gaps();
  }

  /** Whether the run has ended (its summary says anything but running). */
  public boolean finished() {
    return summary != null && !"running".equals(summary.path("status").asText());
  }
}
