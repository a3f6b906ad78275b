package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tapetrain.data.ScanHandoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * local-runner hands the scan's parsed values to its workers ({@link ScanHandoff}): every
 * training and validation row reaches the workers that way, none is held after the run, and
 * the run's numbers are bit for bit those of workers that read the files (the column cache,
 * filled from the files, where the scan keeps nothing).
 */
class ScanHandoffRunTest {

  @TempDir
  Path dir;

  private Path csv(String name, int rows, long seed) throws IOException {
    Random rnd = new Random(seed);
    StringBuilder s = new StringBuilder("a,b,y\n");
    for (int i = 0; i < rows; i++) {
      double a = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      s.append(a).append(',').append(b).append(',').append(2 * a - b + 0.5
          + 0.1 * rnd.nextGaussian()).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, s);
    return p;
  }

  private Path train(String name, List<String> extra) throws IOException {
    Path run = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("--data", dir.resolve("d1.csv").toString(),
        "--data", dir.resolve("d2.csv").toString(), "--validation-data",
        dir.resolve("v.csv").toString(), "--features", "a,b", "--target", "y", "--chunk-size",
        "128", "--learning-rate", "0.1", "--epochs", "2", "--batch-size", "300", "--workers",
        "2", "--run-dir", run.toString()));
    args.addAll(extra);
    Runs.Result r = Runs.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return run;
  }

  @Test
  void workersTakeTheScansValuesAndTrainToTheSameBitsAsFromTheFiles() throws IOException {
    csv("d1.csv", 2000, 5);
    csv("d2.csv", 1500, 6);
    csv("v.csv", 700, 7);
    long handed = ScanHandoff.ROWS_HANDED.sum();
    Path fromScan = train("scan", List.of("--cache", "off"));
    assertEquals(2000 + 1500 + 700, ScanHandoff.ROWS_HANDED.sum() - handed,
        "every row handed over, none read again");
    assertEquals(0, ScanHandoff.heldBytes(), "nothing held after the run");

    handed = ScanHandoff.ROWS_HANDED.sum();
    Path fromFiles = train("files", List.of("--cache", "on", "--cache-dir",
        dir.resolve("cache").toString()));
    assertEquals(0, ScanHandoff.ROWS_HANDED.sum() - handed, "the cache is filled from files");
    List<Runs.Step> steps = Runs.steps(fromScan);
    assertFalse(steps.isEmpty());
    assertEquals(steps, Runs.steps(fromFiles));
    assertEquals(Files.readString(fromFiles.resolve("epochs.jsonl")).replaceAll(
        "\"(wall|time|seconds)[^,}]*", ""), Files.readString(fromScan.resolve("epochs.jsonl"))
        .replaceAll("\"(wall|time|seconds)[^,}]*", ""));
    assertEquals(Runs.summary(fromFiles).path("params"), Runs.summary(fromScan).path("params"));
  }
}
