package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The summary of a run that has no final loss, or whose numbers are not numbers. */
class InspectUnfinishedTest {

  @TempDir
  Path dir;

  private Path train(String name) {
    Path run = dir.resolve(name);
    Runs.Result r = Runs.run("--steps", "40", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    return run;
  }

  /**
   * A mini-batch run that has not ended (no summary yet): its last logged loss is one batch's,
   * and the report must not call it the run's final loss.
   */
  @Test
  void aRunWithoutSummaryShowsItsLastBatchLossAsSuchNotAsTheFinalLoss() throws Exception {
    Path run = dir.resolve("epochs");
    Runs.Result trained = Runs.run("--run-dir", run.toString(), "--examples", "2000",
        "--batch-size", "64", "--epochs", "2", "--log-every", "10");
    assertEquals(0, trained.exitCode(), trained.err());
    Files.delete(run.resolve("summary.json"));
    List<Runs.Step> steps = Runs.steps(run);
    Runs.Step last = steps.get(steps.size() - 1);
    Runs.Result text = Runs.run("inspect", run.toString());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(!text.out().contains("final loss"), text.out());
    assertTrue(text.out().contains("last loss:      " + last.loss() + "   (logged at step "
        + last.step() + ", one mini-batch's"), text.out());
    // The worker table counts logged lines (every 10th step and the last), not steps.
    assertTrue(text.out().contains(" logged  chunks "), text.out());
    Runs.Result json = Runs.run("inspect", run.toString(), "--format", "json");
    JsonNode s = Json.MAPPER.readTree(json.out());
    assertEquals(last.step(), s.get("loss_step").asLong());
    assertEquals("mini-batch", s.get("loss_of").asText());
  }

  /** A loss that is not a number (summary.json writes it as the string "NaN") prints bare. */
  @Test
  void aNotANumberInitialLossPrintsAsNaNNotAsAQuotedString() throws Exception {
    Path run = train("nan");
    Path summary = run.resolve("summary.json");
    String json = Files.readString(summary);
    Files.writeString(summary, json.replaceFirst("\"initial_loss\" : [^,]+,",
        "\"initial_loss\" : \"NaN\","));
    Runs.Result r = Runs.run("inspect", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("initial loss:   NaN\n"), r.out());
  }

  /**
   * A run that failed before its first update (its model throws at the initial loss, after the
   * run directory exists) shows that no step was trained, its status and why, not "initial loss
   * NaN", its initial parameters and "workers 4" as if it had trained (a new-user round,
   * 2026-12-07).
   */
  @Test
  void aRunThatFailedBeforeItsFirstStepShowsThatNoStepWasTrainedAndWhy() throws Exception {
    Path run = dir.resolve("failed");
    Runs.Result r = Runs.run("--model", "test-faulty", "--set", "fault=throw", "--steps", "5",
        "--workers", "2", "--run-dir", run.toString());
    assertEquals(1, r.exitCode(), r.err());
    Runs.Result text = Runs.run("inspect", run.toString());
    assertEquals(0, text.exitCode(), text.err());
    String out = text.out();
    assertTrue(out.contains("status:         failed (0 of 5 steps)"), out);
    assertTrue(out.contains("message:        model test-faulty failed while computing the "
        + "initial loss"), out);
    assertTrue(out.contains("trained:        no step: the run ended failed before its first "
        + "update (no loss or parameters to show)"), out);
    assertTrue(out.contains("workers:        2 started, none trained a step"), out);
    assertTrue(out.contains("(no steps logged)\n"), out);
    for (String shown : List.of("NaN", "initial loss:   ", "final loss", "w:", "b:", "steps/s",
        "logged yet")) {
      assertTrue(!out.contains(shown), shown + " in: " + out);
    }
    JsonNode s = Json.MAPPER.readTree(Runs.run("inspect", run.toString(), "--format", "json")
        .out());
    assertTrue(s.get("no_step_trained").asBoolean(), s.toString());
    assertEquals("failed", s.get("status").asText());
    assertTrue(!s.has("initial_loss") && !s.has("loss") && !s.has("w"), s.toString());
  }

  /** A run of --steps 0 completed: its initial loss and parameters are its result, shown. */
  @Test
  void aRunOfNoStepsShowsItsResult() throws Exception {
    Path run = dir.resolve("none");
    Runs.Result r = Runs.run("--steps", "0", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode summary = Runs.summary(run);
    String out = Runs.run("inspect", run.toString()).out();
    assertTrue(!out.contains("trained:        no step"), out);
    assertTrue(out.contains("final loss:") && out.contains("W:"), out);
    JsonNode s = Json.MAPPER.readTree(Runs.run("inspect", run.toString(), "--format", "json")
        .out());
    assertTrue(!s.has("no_step_trained"), s.toString());
    assertEquals(summary.get("loss").asDouble(), s.get("loss").asDouble(), 0.0);
  }
}
