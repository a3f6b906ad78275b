package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code inspect} of a run still going on (a new-user round, 2026-12-07): it shows the initial
 * loss and how long the run has been going, as a finished run's summary shows its loss and
 * times; and {@code --plot} of a run with no logged step says so in one line instead of writing
 * an empty chart.
 */
class InspectRunningTest extends ProcessTestBase {

  @Test
  void aRunningRunShowsItsInitialLossAndTimeSoFar() throws Exception {
    Path run = dir.resolve("run");
    Process trainer = processes.trainingPastACheckpoint("trainer", run);
    assertTrue(RunLock.isHeld(run), "the trainer holds the run");
    Runs.Result text = Runs.run("inspect", run.toString());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains("status:         running ("), text.out());
    assertTrue(text.out().contains("initial loss:   68.88126484591506\n"), text.out());
    assertTrue(text.out().matches("(?s).*\ntime: +[0-9.]+ s so far, still running \\(started "
        + "20[0-9-]+T[0-9:.]+Z\\)\n.*"), text.out());
    Runs.Result json = Runs.run("inspect", run.toString(), "--format", "json");
    JsonNode s = Json.MAPPER.readTree(json.out());
    assertEquals(68.88126484591506, s.get("initial_loss").asDouble(), 0.0);
    assertTrue(s.get("running_seconds").asDouble() > 0, json.out());
    Processes.kill9(trainer);
    // No process holds it now: it is not running, so no time "so far" is shown.
    Runs.Result after = Runs.run("inspect", run.toString());
    assertTrue(after.out().contains("status:         interrupted ("), after.out());
    assertFalse(after.out().contains("so far"), after.out());
    assertTrue(after.out().contains("initial loss:   68.88126484591506\n"), after.out());
  }

  @Test
  void plottingARunWithNoLoggedStepSaysSoAndWritesNoFile() throws Exception {
    Path run = dir.resolve("held");
    // The model never returns from the initial loss: the run holds its lock with no step logged.
    Process trainer = processes.localRunner("held", "--model", "test-faulty", "--set",
        "fault=loop", "--workers", "1", "--step-timeout", "600", "--run-dir", run.toString());
    Processes.await("the run's summary", Duration.ofSeconds(60),
        () -> Files.exists(run.resolve("summary.json")));
    Path png = dir.resolve("plot.png");
    Runs.Result r = Runs.run("inspect", run.toString(), "--plot", png.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("inspect: nothing to plot yet: " + run + " has no logged step; " + png
        + " not written", r.err().strip());
    assertFalse(Files.exists(png));
    assertTrue(r.out().contains("(no steps logged yet)"), r.out());
    Processes.kill9(trainer);
  }
}
