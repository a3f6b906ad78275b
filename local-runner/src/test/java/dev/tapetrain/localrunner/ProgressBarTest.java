package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The progress bar (issue 16, part 4): drawn on stderr when it is a terminal and steps are
 * logged sparsely; nothing extra when stderr is a file or every step is printed. The terminal is
 * a real pseudo-terminal from util-linux {@code script}.
 */
class ProgressBarTest extends ProcessTestBase {

  private static final String[] JOB = {"--steps", "400", "--log-every", "200"};

  @Test
  void aTerminalShowsTheBarWithStepsSpeedAndLossAndTheStepLinesAboveIt() throws Exception {
    processes.inTerminal();
    Process p = processes.localRunner("tty", concat(JOB, "--run-dir",
        dir.resolve("tty").toString()));
    assertEquals(0, Processes.exitCode(p, Duration.ofSeconds(120)));
    String out = processes.stdout("tty");
    assertTrue(out.contains("train 100% ["), out);
    assertTrue(out.contains("400/400 steps"), out);
    assertTrue(out.contains("steps/s, loss "), out);
    assertFalse(out.contains("? steps/s"), "a speed, not a question mark: " + out);
    // The bar drawn after a step's line shows that step or a later one, never an older frame.
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "Loss at step (\\d+): [^\\r]*\\r\\n\\rtrain +\\d+% \\[[= ]*\\] +(\\d+)/").matcher(out);
    int seen = 0;
    while (m.find()) {
      seen++;
      assertTrue(Integer.parseInt(m.group(2)) > Integer.parseInt(m.group(1)), m.group());
    }
    assertTrue(seen > 0, out);
    // Lines printed while the bar is up go on a cleared line above it, never glued to it.
    assertTrue(out.contains("\r\033[KLoss at step 000: "), out);
    for (int i = out.indexOf("Loss at step"); i >= 0; i = out.indexOf("Loss at step", i + 1)) {
      String before = out.substring(Math.max(0, i - 4), i);
      assertTrue(before.endsWith("\n") || before.equals("\r\033[K"),
          "glued to the bar: " + out.substring(Math.max(0, i - 40), i + 20));
    }
    // The final lines start on a line of their own, and the bar's last frame is cleared rather
    // than left in the scrollback between the step lines and the final loss (issue 25).
    // A step line may still be printed after the bar closed (the console lags the bar), so the
    // clearing need not sit right before the final loss, only between the last frame and it.
    int last = out.lastIndexOf("train 100% [");
    int cleared = out.indexOf("\r\033[K", last);
    int finalLoss = out.indexOf("Final loss: ", last);
    assertTrue(last < cleared && cleared < finalLoss, out);
    assertTrue(out.substring(finalLoss - 1).startsWith("\nFinal")
        || out.substring(finalLoss - 4).startsWith("\r\033[KFinal"), out);
    assertFalse(out.contains("WARNING"), out);
  }

  @Test
  void stderrToAFileGetsNoBar() throws Exception {
    Process p = processes.localRunner("file", concat(JOB, "--run-dir",
        dir.resolve("file").toString()));
    assertEquals(0, Processes.exitCode(p, Duration.ofSeconds(120)));
    assertEquals("run directory: " + dir.resolve("file"), processes.stderr("file").strip());
    assertTrue(processes.stdout("file").contains("Loss at step 200: "));
  }

  @Test
  void aTerminalPrintingEveryStepGetsNoBar() throws Exception {
    processes.inTerminal();
    Process p = processes.localRunner("every", "--steps", "30", "--run-dir",
        dir.resolve("every").toString());
    assertEquals(0, Processes.exitCode(p, Duration.ofSeconds(120)));
    String out = processes.stdout("every");
    assertTrue(out.contains("Loss at step 029: "), out);
    assertFalse(out.contains("steps/s"), out);
  }
}
