package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A note of the data's scan (a pandas index left out of {@code --features '*'}) is one line in
 * the command's own style, {@code local-runner: note: …}, not a logger line with a time stamp
 * and a class name (a new user's finding, 2026-12-07).
 */
class DataNotesTest {

  @TempDir
  Path dir;

  @Test
  void aPandasIndexLeftOutIsANoteOfTheCommand() throws Exception {
    Path csv = dir.resolve("pandas.csv");
    Files.writeString(csv, ",x,y\n0,1,2\n1,2,4\n2,3,6\n");
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run("--data", csv.toString(), "--features", "*", "--target", "y",
        "--steps", "2", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.err().contains("local-runner: note: --features '*': left out pandas.csv's "
        + "pandas index column '' (unnamed) (to train on one, name it in --features)\n"),
        r.err());
    assertFalse(r.err().contains("WARN"), r.err());
  }

  @Test
  void anEmbeddedRunLeavesItsNotesToTheApplicationsLogging() throws Exception {
    // Not as lines of a command the application never ran (a review helper's finding).
    Path csv = dir.resolve("pandas.csv");
    Files.writeString(csv, ",x,y\n0,1,2\n1,2,4\n2,3,6\n");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    dev.tapetrain.localrunner.api.Trainer.builder().option("--data", csv.toString())
        .option("--features", "*").option("--target", "y").steps(2)
        .runDir(dir.resolve("api"))
        .console(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
            new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8))
        .build().fit();
    assertFalse(err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("note:"),
        err.toString(java.nio.charset.StandardCharsets.UTF_8));
  }
}
