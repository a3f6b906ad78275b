package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.models.Models;
import dev.tapetrain.protocol.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run directory's small files read back — config.json and summary.json — and its status as a
 * reader should show it; the step log is read line by line from {@link #steps()}, so nothing
 * here grows with the run's length.
 *
 * @param dir     the directory
 * @param config  config.json
 * @param summary summary.json, or null if there is none yet
 * @param status  the run's status (see {@link Status})
 */
public record RunFiles(Path dir, JsonNode config, JsonNode summary, Status status) {

  /** Status of a run whose summary says running while no process holds it. */
  public static final String INTERRUPTED = "interrupted";

  /**
   * A run's status: summary.json's {@code status} ({@code running} while there is none), except
   * that a run whose summary says {@code running} while no process holds its {@link RunLock}
   * (killed with {@code kill -9}, or its machine went down) is {@value #INTERRUPTED}, with a
   * detail saying so and how to continue it.
   *
   * @param name   running, completed, converged, diverged, failed or interrupted
   * @param detail why, for a status summary.json does not say; null otherwise
   */
  public record Status(String name, String detail) {
    /** The name, and the detail in parentheses if there is one. */
    public String describe() {
      return detail == null ? name : name + " (" + detail + ")";
    }
  }

  /**
   * Reads {@code dir}'s config and summary.
   *
   * @throws RunDirectoryException if it is not a run directory or a file is corrupt
   */
  public static RunFiles read(Path dir) {
    Path config = dir.resolve(RunDirectory.CONFIG);
    if (Files.isRegularFile(dir)) {
      throw new RunDirectoryException(dir + ": a file, not a run directory");
    }
    if (!Files.isDirectory(dir)) {
      throw new RunDirectoryException(dir + ": no such directory");
    }
    if (!Files.isRegularFile(config)) {
      throw new RunDirectoryException(dir + ": not a run directory (no " + RunDirectory.CONFIG
          + ")");
    }
    return withSummary(dir, readJson(config));
  }

  /** The same run with its summary and status read again (config.json is not read again). */
  public RunFiles refresh() {
    return withSummary(dir, config);
  }

  private static RunFiles withSummary(Path dir, JsonNode config) {
    JsonNode summary = readSummary(dir);
    Status status = status(summary);
    if (status.name().equals("running") && !RunLock.isHeld(dir)) {
      // The writer releases its lock after writing the final summary: read it again, so a run
      // that has just ended is not taken for one that was killed.
      summary = readSummary(dir);
      status = status(summary);
      if (status.name().equals("running")) {
        status = interrupted(dir);
      }
    }
    return new RunFiles(dir, config, summary, status);
  }

  /**
   * The status of the run in {@code dir} whose summary.json reads {@code summary} (null: none):
   * as {@link #read} decides it, for a reader that has read the summary itself.
   */
  public static Status status(Path dir, JsonNode summary) {
    Status status = status(summary);
    if (status.name().equals("running") && !RunLock.isHeld(dir)) {
      status = status(readSummary(dir));
      if (status.name().equals("running")) {
        status = interrupted(dir);
      }
    }
    return status;
  }

  private static Status interrupted(Path dir) {
    // Killed before its first checkpoint: --resume has nothing to start from.
    return new Status(INTERRUPTED, Checkpoints.holdsState(dir.resolve(Checkpoints.FILE))
        ? "no process holds the run; resume with --resume " + dir
        : "no process holds the run, which stopped before its first checkpoint; start it over "
            + "with the command that started it and --resume-if-exists --run-dir " + dir
            + " (its options are in " + dir.resolve("config.json") + ")");
  }

  private static Status status(JsonNode summary) {
    return new Status(summary == null ? "running" : summary.path("status").asText("running"),
        null);
  }

  private static JsonNode readSummary(Path dir) {
    Path file = dir.resolve(RunDirectory.SUMMARY);
    return Files.isRegularFile(file) ? readJson(file) : null;
  }

  /** Whether the run has ended (its status is anything but running). */
  public boolean finished() {
    return !status.name().equals("running");
  }

  /** The steps.jsonl of the run from its first line (empty if there is none yet). */
  public StepReader steps() {
    return StepReader.open(dir);
  }

  /** The model's name ({@code options.model}; the tutorial's linear model for old runs). */
  public String model() {
    return config.path("options").path("model").asText(ModelSpec.LINEAR);
  }

  /**
   * The model's {@linkplain Models#flatParameters flat parameters} (the linear model's
   * {@code w} and {@code b}): the view that readers show by name, as W and B; empty for other
   * models and for a model this JVM does not have.
   */
  public List<String> flatParameters() {
    return Models.flatParameters(model());
  }

  /** The names of the model's metrics logged with each step (e.g. {@code accuracy}). */
  public List<String> metrics() {
    List<String> names = new ArrayList<>();
    config.path("metrics").forEach(m -> names.add(m.asText()));
    return names;
  }

  /**
   * The gaps recorded when the run was resumed over a cut or deleted log (config.json's
   * {@code resumes}, copied to summary.json's {@code log_gaps}): known without reading the log.
   */
  public List<RunLog.Gap> recordedGaps() {
    List<RunLog.Gap> gaps = new ArrayList<>();
    config.path("resumes").forEach(r -> {
      JsonNode g = r.path("log_gap");
      if (!g.isMissingNode()) {
        gaps.add(new RunLog.Gap(g.path("after_step").asLong(), g.path("through_step").asLong()));
      }
    });
    return gaps;
  }

  static JsonNode readJson(Path file) {
    try {
      return Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new RunDirectoryException(file + ": not valid JSON (" + e.getMessage().lines()
          .findFirst().orElse("") + ")");
    }
  }
}
