package dev.tapetrain.data.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.Segment;
import dev.tapetrain.data.ShardLoader;
import dev.tapetrain.protocol.DatasetSpec;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column cache's cross-process lock, with real processes ({@link CacheBuildProcess}): two
 * JVMs that open the same missing entry at once build it once (the other waits for the lock and
 * maps the first one's file), and both read the same, valid values; a builder killed with
 * {@code kill -9} while its temporary file exists leaves no entry that a later open accepts, and
 * the next open builds it with one log line and removes the leftover. Every process started is
 * destroyed in {@link #stopAll}, also when an assertion fails.
 */
class CacheProcessesTest {

  /** Rows: enough that a build takes a visible while (the lock is held across it). */
  private static final int ROWS = 400_000;
  /**
   * Rows of the killed build: more than one batch of {@link CacheBuilder#BATCH_BYTES}, so the
   * builder has written values into its temporary file while it still reads the rest.
   */
  private static final int KILLED_ROWS = (int) (CacheBuilder.BATCH_BYTES / 32 * 6 / 5);

  @TempDir
  Path dir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Path csv() throws IOException {
    return csv(ROWS);
  }

  private Path csv(int rows) throws IOException {
    SplittableRandom r = new SplittableRandom(3);
    Path p = dir.resolve("d.csv");
    try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
      w.write("a,b,c,y\n");
      for (int i = 0; i < rows; i++) {
        w.write(r.nextGaussian() + "," + r.nextDouble() + "," + r.nextInt(-9, 10) + ","
            + Math.scalb(r.nextGaussian(), r.nextInt(-30, 30)) + "\n");
      }
    }
    return p;
  }

  private Process start(String name, String... args) throws IOException {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-Xmx256m", "-cp", String.join(File.pathSeparator,
        cp.split(File.pathSeparator)), CacheBuildProcess.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".out").toFile()).start();
    started.add(p);
    return p;
  }

  /** A finished process's lines, by their first word (notes in order under "note"). */
  private Map<String, List<String>> facts(String name, Process p) throws Exception {
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), name + " did not finish");
    String out = Files.readString(dir.resolve(name + ".out"));
    assertEquals(0, p.exitValue(), name + ": " + out);
    Map<String, List<String>> facts = new TreeMap<>();
    for (String line : out.split("\n")) {
      int sp = line.indexOf(' ');
      if (sp > 0) {
        facts.computeIfAbsent(line.substring(0, sp), k -> new ArrayList<>())
            .add(line.substring(sp + 1));
      }
    }
    return facts;
  }

  private static long one(Map<String, List<String>> facts, String key) {
    return Long.parseLong(facts.get(key).get(0));
  }

  /** The hash {@link CacheBuildProcess#hash} gives, of the values as the CSV reader reads them. */
  private static long heapHash(DatasetSpec d) {
    List<Integer> all = IntStream.range(0, d.numChunks()).boxed().toList();
    List<Segment> segs = ShardLoader.load(d, all).segments();
    long h = 17;
    for (int c = 0; c <= d.features(); c++) {
      for (Segment s : segs) {
        double[] v = c < d.features() ? s.x()[c] : s.y();
        for (double x : v) {
          h = h * 31 + Double.doubleToRawLongBits(x);
        }
      }
    }
    return h;
  }

  private List<Path> files(Path cache, String glob) throws IOException {
    List<Path> out = new ArrayList<>();
    if (Files.isDirectory(cache)) {
      try (var list = Files.newDirectoryStream(cache, glob)) {
        list.forEach(out::add);
      }
    }
    return out;
  }

  /** The bytes in the temporary file of a build in {@code cache} (0: none yet). */
  private long written(Path cache) throws IOException {
    for (Path t : files(cache, "*.tmp-*")) {
      try {
        return Files.size(t);
      } catch (java.nio.file.NoSuchFileException e) {
        return 0;
      }
    }
    return 0;
  }

  @Test
  void twoJvmsOpeningAMissingEntryBuildItOnceAndBothMapIt() throws Exception {
    Path data = csv();
    Path cache = dir.resolve("cache");
    Path ready = Files.createDirectory(dir.resolve("ready"));
    Process a = start("a", data.toString(), cache.toString(), ready.toString(), "2");
    Process b = start("b", data.toString(), cache.toString(), ready.toString(), "2");
    Map<String, List<String>> fa = facts("a", a);
    Map<String, List<String>> fb = facts("b", b);
    System.out.println("a: " + fa + "\nb: " + fb);
    assertEquals(1, one(fa, "builds") + one(fb, "builds"), "exactly one builds: " + fa + fb);
    Map<String, List<String>> builder = one(fa, "builds") == 1 ? fa : fb;
    Map<String, List<String>> waiter = builder == fa ? fb : fa;
    assertEquals(1, builder.get("note").size(), builder.toString());
    assertTrue(builder.get("note").get(0).contains("written (" + ROWS + " rows"),
        builder.toString());
    assertNull(waiter.get("note"), "the waiter builds and repairs nothing: " + waiter);
    // The waiter asked while the builder held the lock, and got the entry only after it.
    assertTrue(one(waiter, "opening") < one(builder, "opened"), fa + " " + fb);
    assertTrue(one(waiter, "opened") >= one(builder, "opened") - 50, fa + " " + fb);
    DatasetSpec d = CacheBuildProcess.scan(data);
    long expected = heapHash(d);
    assertEquals(expected, one(fa, "values"), "a maps the CSV's values");
    assertEquals(expected, one(fb, "values"), "b maps the same values");
    assertEquals(ROWS, one(fa, "rows"));
    assertEquals(1, files(cache, "*.cols").size());
    assertEquals(List.of(), files(cache, "*.tmp-*"));
    MappedColumns here = ColumnCache.existing(new CacheSettings(CacheSettings.Mode.AUTO, cache,
        CacheSettings.DEFAULT_MAX_BYTES), d);
    assertEquals(expected, CacheBuildProcess.hash(here), "this JVM accepts the entry too");
  }

  @Test
  void aBuilderKilledMidBuildLeavesNoEntryAndTheNextOpenBuildsIt() throws Exception {
    Path data = csv(KILLED_ROWS);
    Path cache = dir.resolve("cache");
    Process p = start("killed", data.toString(), cache.toString(), "-");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (written(cache) == 0) {
      assertTrue(p.isAlive(), "the builder ended before it was killed: "
          + Files.readString(dir.resolve("killed.out")));
      assertTrue(System.nanoTime() < deadline, "no temporary file appeared");
      Thread.sleep(2);
    }
    System.out.println("killed while " + files(cache, "*.tmp-*").get(0).getFileName()
        + " held " + Files.size(files(cache, "*.tmp-*").get(0)) + " bytes");
    p.destroyForcibly(); // SIGKILL on POSIX: no finally block of the builder runs
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(List.of(), files(cache, "*.cols"), "no entry after a build that died: "
        + Files.readString(dir.resolve("killed.out")));
    assertEquals(1, files(cache, "*.tmp-*").size(), "its temporary file is left behind");
    DatasetSpec d = CacheBuildProcess.scan(data);
    CacheSettings settings = new CacheSettings(CacheSettings.Mode.ON, cache,
        CacheSettings.DEFAULT_MAX_BYTES);
    assertNull(ColumnCache.existing(settings, d), "nothing a later run accepts");
    List<String> notes = new CopyOnWriteArrayList<>();
    long builds = ColumnCache.builds();
    MappedColumns m = ColumnCache.open(settings, d, notes::add);
    assertEquals(builds + 1, ColumnCache.builds());
    assertEquals(1, notes.size(), notes.toString());
    assertTrue(notes.get(0).contains("written (" + KILLED_ROWS + " rows"), notes.toString());
    assertEquals(List.of(), files(cache, "*.tmp-*"), "the next builder removed the leftover");
    assertEquals(heapHash(d), CacheBuildProcess.hash(m));
    assertFalse(p.isAlive());
  }
}
