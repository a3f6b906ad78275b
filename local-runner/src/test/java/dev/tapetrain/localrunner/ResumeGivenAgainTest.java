package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An option given again to {@code --resume} with the run's own value changes nothing and is
 * taken (README, "Resume"), the data's too: {@code --data} (the same file by another path),
 * {@code --target}, {@code --features}, {@code --format}; another value is refused, naming what
 * may be raised (new-user round, 2026-12-07: {@code --target y} was refused as a change).
 */
class ResumeGivenAgainTest {

  @TempDir
  Path dir;

  private Path csv(String name) throws Exception {
    Path data = dir.resolve(name);
    StringBuilder csv = new StringBuilder("a,b,y\n");
    Random rnd = new Random(3);
    for (int i = 0; i < 200; i++) {
      csv.append(rnd.nextGaussian()).append(',').append(rnd.nextGaussian()).append(',')
          .append(rnd.nextGaussian()).append('\n');
    }
    Files.writeString(data, csv);
    return data;
  }

  @Test
  void theDatasOwnValuesAreTakenAndOthersRefused() throws Exception {
    Path data = csv("d.csv");
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--data", data.toString(), "--features", "a,b", "--target", "y",
        "--steps", "10", "--log-every", "5", "--run-dir", run.toString()).exitCode());
    // The same file by a relative path and through a link: the same real file.
    Path relative = Path.of("").toAbsolutePath().relativize(data);
    Path link = Files.createSymbolicLink(dir.resolve("link.csv"), data);
    long steps = 10;
    for (Path same : new Path[] {relative, link}) {
      steps += 5;
      Runs.Result again = Runs.run("--resume", run.toString(), "--steps", "" + steps,
          "--data", same.toString(), "--features", "a,b", "--target", " y", "--format", "csv",
          "--learning-rate", "0.01");
      assertEquals(0, again.exitCode(), again.err());
    }
    assertEquals(steps, Runs.summary(run).get("steps").asLong());

    Path copy = Files.copy(data, dir.resolve("copy.csv"));
    String[][] changes = {{"--target", "b"}, {"--features", "b,a"}, {"--features", "a"},
        {"--data", copy.toString()}, {"--format", "parquet"}, {"--learning-rate", "0.02"}};
    for (String[] change : changes) {
      Runs.Result r = Runs.run("--resume", run.toString(), "--steps", "30", change[0],
          change[1]);
      assertEquals(2, r.exitCode(), String.join(" ", change) + ": " + r.err());
      assertTrue(r.err().contains(change[0] + " cannot change in a resumed run (only --steps "
          + "may be raised)"), r.err());
    }
  }

  @Test
  void aRunOfEpochsSaysEpochsMayBeRaised() throws Exception {
    Path data = csv("e.csv");
    Path run = dir.resolve("epochs");
    assertEquals(0, Runs.run("--data", data.toString(), "--features", "a,b", "--batch-size",
        "50", "--epochs", "1", "--run-dir", run.toString()).exitCode());
    Runs.Result r = Runs.run("--resume", run.toString(), "--epochs", "2", "--learning-rate",
        "0.5");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("--learning-rate cannot change in a resumed run (only --epochs "
        + "may be raised)"), r.err());
  }

  /**
   * {@code --features '*'} given again is taken when it picks the columns the run trained on
   * (a script that started the run with '*' repeats it; --resume-if-exists took it already),
   * and refused in one line naming both lists when it picks others (new-user round,
   * 2026-12-07: '*' was refused as a change).
   */
  @Test
  void featuresStarIsTakenWhenItPicksTheRunsColumnsAndRefusedNamingTheDifference()
      throws Exception {
    Path data = csv("star.csv");
    Path run = dir.resolve("star");
    assertEquals(0, Runs.run("--data", data.toString(), "--features", "*", "--steps", "10",
        "--run-dir", run.toString()).exitCode());
    Runs.Result again = Runs.run("--resume", run.toString(), "--steps", "15", "--data",
        data.toString(), "--features", "*");
    assertEquals(0, again.exitCode(), again.err());
    assertEquals(15, Runs.summary(run).get("steps").asLong());

    // A run of a and b on a file with a third column: '*' would train on a, b and c.
    Path wide = dir.resolve("wide.csv");
    Files.writeString(wide, Files.readString(data).replace("a,b,y\n", "a,b,c,y\n")
        .replaceAll("(?m)^([^,\n]+,[^,\n]+),(?=[^,\n]+$)", "$1,1.5,"));
    Path narrow = dir.resolve("narrow");
    Runs.Result first = Runs.run("--data", wide.toString(), "--features", "a,b", "--steps",
        "10", "--run-dir", narrow.toString());
    assertEquals(0, first.exitCode(), first.err());
    Runs.Result r = Runs.run("--resume", narrow.toString(), "--steps", "15", "--features",
        "*");
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--resume: --features '*' picks a,b,c in wide.csv, but the run "
        + "trained on a,b (give those, leave --features out, or start a new run)"), r.err());
    assertEquals(10, Runs.summary(narrow).get("steps").asLong());
  }
}
