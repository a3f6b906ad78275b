package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The determinism contract and the tutorial's promise, on the real single-JVM runner. */
class DeterminismTest {

  @TempDir
  Path dir;

  @Test
  void finalParamsAndEveryLossAreBitIdenticalForOneToEightWorkers() throws Exception {
    List<Runs.Step> reference = null;
    String referenceLastLine = null;
    for (int workers = 1; workers <= 8; workers++) {
      Path run = dir.resolve("w" + workers);
      Runs.Result r = Runs.run("--workers", "" + workers, "--run-dir", run.toString());
      assertEquals(0, r.exitCode(), r.err());
      List<Runs.Step> steps = Runs.steps(run);
      assertEquals(200, steps.size());
      List<String> lines = r.outLines();
      if (reference == null) {
        reference = steps;
        referenceLastLine = lines.get(lines.size() - 1);
        continue;
      }
      assertEquals(reference, steps, workers + " workers: every loss, W and B bit for bit");
      assertEquals(referenceLastLine, lines.get(lines.size() - 1));
    }
  }

  @Test
  void compiledTapeGivesTheEagerTapesBitsWhicheverWorkersCompileWhen() throws Exception {
    String property = "tapetrain.compileAfterSamples";
    try {
      System.setProperty(property, "" + Long.MAX_VALUE);
      Path eager = dir.resolve("eager");
      assertEquals(0, Runs.run("--workers", "2", "--run-dir", eager.toString()).exitCode());
      // Each worker compiles once it has evaluated 3000 samples: one worker at step 3, three
      // workers (334, 333, 333 samples) at steps 9–10, so runs mix eager and compiled steps.
      System.setProperty(property, "3000");
      // The evaluator falls back to the eager tape when it cannot compile: count the
      // compilations it reports, so this test fails if no worker ran the compiled loop.
      ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger)
          org.slf4j.LoggerFactory.getLogger(dev.tapetrain.worker.shard.ShardEvaluator.class);
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
          new ch.qos.logback.core.read.ListAppender<>();
      events.start();
      log.addAppender(events);
      ch.qos.logback.classic.Level level = log.getLevel();
      log.setLevel(ch.qos.logback.classic.Level.INFO);
      for (int workers : new int[] {1, 3}) {
        events.list.clear();
        Path run = dir.resolve("compiled" + workers);
        Runs.Result r = Runs.run("--workers", "" + workers, "--run-dir", run.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(workers, events.list.stream().filter(e -> e.getFormattedMessage()
            .startsWith("compiled the tape's loss and gradients")).count(),
            "every worker compiled its tape: " + events.list);
        List<Runs.Step> expected = Runs.steps(eager);
        List<Runs.Step> actual = Runs.steps(run);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
          assertEquals(expected.get(i), actual.get(i), workers + " workers, bit for bit");
        }
      }
      log.detachAppender(events);
      log.setLevel(level);
    } finally {
      System.clearProperty(property);
    }
  }

  @Test
  void defaultJobPrintsTheTutorialOutputAndFindsTheTrueLine() throws Exception {
    Path run = dir.resolve("default");
    Runs.Result r = Runs.run("--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.outLines();
    assertEquals(1 + 200 + 2, lines.size(), r.out());
    assertTrue(Pattern.matches("Initial loss: \\d+\\.\\d{3}", lines.get(0)), lines.get(0));
    List<Runs.Step> steps = Runs.steps(run);
    for (int i = 0; i < 200; i++) {
      assertEquals(String.format(java.util.Locale.ROOT, "Loss at step %03d: %.3f", i,
          steps.get(i).loss()), lines.get(1 + i));
    }
    JsonNode summary = Runs.summary(run);
    assertEquals("completed", summary.get("status").asText());
    double w = summary.get("w").asDouble();
    double b = summary.get("b").asDouble();
    assertEquals(String.format(java.util.Locale.ROOT, "Final loss: %.3f",
        summary.get("loss").asDouble()), lines.get(201));
    assertEquals("W = " + w + ", B = " + b, lines.get(202));
    // The tutorial's acceptance: the fit recovers y = 3x + 2 from noisy samples.
    assertEquals(3.0, w, 0.25);
    assertEquals(2.0, b, 0.35);
    // The loss falls from the start to the end, and W, B move towards the truth every step.
    assertTrue(summary.get("loss").asDouble() < summary.get("initial_loss").asDouble());
  }
}
