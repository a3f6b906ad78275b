package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with the samples in the column cache (issue 28, item 5) logs the same bits as with
 * them on the heap, full-batch and by mini-batches, for 1 and 3 workers; a second run maps the
 * first one's file instead of writing it again; bad cache options are one line, exit 2.
 */
class ColumnCacheRunTest {

  @TempDir
  Path dir;

  private Path csv() throws IOException {
    Random rnd = new Random(5);
    StringBuilder s = new StringBuilder("a,b,y\n");
    for (int i = 0; i < 3000; i++) {
      double a = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      s.append(a).append(',').append(b).append(',').append(2 * a - b + 0.5
          + 0.1 * rnd.nextGaussian()).append('\n');
    }
    Path p = dir.resolve("d.csv");
    Files.writeString(p, s);
    return p;
  }

  private List<Runs.Step> train(Path data, String name, List<String> extra) throws IOException {
    Path run = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--features", "a,b",
        "--target", "y", "--chunk-size", "128", "--learning-rate", "0.1", "--run-dir",
        run.toString()));
    args.addAll(extra);
    Runs.Result r = Runs.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return Runs.steps(run);
  }

  @Test
  void theCacheTrainsToTheSameBitsAndIsReused() throws IOException {
    Path data = csv();
    Path cache = dir.resolve("cache");
    List<String> on = List.of("--cache", "on", "--cache-dir", cache.toString());
    int runs = 0;
    for (List<String> mode : List.of(List.of("--steps", "15"),
        List.of("--batch-size", "500", "--epochs", "2"),
        // 2100 training rows: the validation rows' chunks start mid-way through a chunk of 128.
        List.of("--batch-size", "500", "--epochs", "2", "--validation-split", "0.3"))) {
      for (String workers : List.of("1", "3")) {
        List<String> base = new ArrayList<>(mode);
        base.addAll(List.of("--workers", workers));
        List<Runs.Step> heap = train(data, "heap" + runs, withAll(base, List.of("--cache",
            "off")));
        List<Runs.Step> mapped = train(data, "mapped" + runs, withAll(base, on));
        assertEquals(heap, mapped, mode + ", " + workers + " workers");
        assertTrue(heap.size() >= 4);
        runs++;
      }
    }
    List<Path> files;
    try (var list = Files.list(cache)) {
      files = list.filter(p -> p.toString().endsWith(".cols")).toList();
    }
    assertEquals(1, files.size(), "one entry for the data, whatever the run: " + files);
    Object inode = Files.readAttributes(files.get(0), BasicFileAttributes.class).fileKey();
    train(data, "again", withAll(List.of("--steps", "3"), on));
    assertEquals(inode, Files.readAttributes(files.get(0), BasicFileAttributes.class)
        .fileKey(), "reused, not written again");
  }

  @Test
  void badCacheOptionsAreOneLine() {
    Runs.Result r = Runs.run("--cache", "sometimes");
    assertEquals(2, r.exitCode());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--cache must be on, off or auto, got 'sometimes'"), r.err());
    r = Runs.run("--cache-max-size", "lots");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--cache-max-size must be a size"), r.err());
  }

  @Test
  void aCacheDirectoryThatCannotBeMadeIsRefusedBeforeARunExists() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "");
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run("--cache", "on", "--cache-dir", file.resolve("sub").toString(),
        "--run-dir", run.toString());
    assertEquals(2, r.exitCode(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--cache-dir " + file.resolve("sub") + ": cannot create it"),
        r.err());
    assertTrue(!Files.exists(run), "no run directory");
    // A file where the directory should be is named as such (it said "cannot create it").
    Runs.Result onFile = Runs.run("--cache", "on", "--cache-dir", file.toString(),
        "--run-dir", run.toString());
    assertEquals(2, onFile.exitCode(), onFile.err());
    assertTrue(onFile.err().endsWith("--cache-dir " + file + ": a file, not a directory\n"),
        onFile.err());
    assertTrue(!Files.exists(run), "no run directory");
  }

  private static List<String> withAll(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
