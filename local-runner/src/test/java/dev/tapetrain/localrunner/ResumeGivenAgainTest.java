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
}
