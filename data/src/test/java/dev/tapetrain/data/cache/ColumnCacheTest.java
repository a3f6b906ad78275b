package dev.tapetrain.data.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.CsvFormat;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.Segment;
import dev.tapetrain.data.ShardLoader;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Settings;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column cache holds exactly the values the input format reads (bit for bit), is built
 * once and reused, is rebuilt when truncated or damaged, survives two builders at once, and
 * evicts the least recently used entry past its cap.
 */
class ColumnCacheTest {

  @TempDir
  Path dir;

  private final List<String> notes = new CopyOnWriteArrayList<>();

  /** A CSV file of {@code rows} rows × 3 features + y, scanned, cut into chunks of 64. */
  private DatasetSpec csv(String name, int rows, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder b = new StringBuilder("a,b,c,y\n");
    for (int i = 0; i < rows; i++) {
      b.append(String.format("%.17g", r.nextGaussian() * 1e3)).append(',')
          .append(r.nextDouble()).append(',').append(r.nextInt(-9, 10)).append(',')
          .append(Math.scalb(r.nextGaussian(), r.nextInt(-30, 30))).append('\n');
    }
    Path p = dir.resolve(name);
    Files.write(p, b.toString().getBytes(StandardCharsets.UTF_8));
    CsvFormat format = new CsvFormat();
    InputFormat.Scanned s = format.scan(new InputFormat.Request(p, Settings.of(format.settings(),
        Map.of("features", "a,b,c", "target", "y"), n -> "--" + n), 0, 0, y -> null));
    return new DatasetSpec(s.source(), 64);
  }

  private CacheSettings settings(long maxBytes) {
    return new CacheSettings(CacheSettings.Mode.ON, dir.resolve("cache"), maxBytes);
  }

  /** Every value of the dataset as the input format reads it into the heap. */
  private static double[][] inHeap(DatasetSpec d) {
    List<Integer> all = IntStream.range(0, d.numChunks()).boxed().toList();
    Segment seg = ShardLoader.load(d, all).segments().get(0);
    double[][] out = new double[d.features() + 1][];
    System.arraycopy(seg.x(), 0, out, 0, d.features());
    out[d.features()] = seg.y();
    return out;
  }

  private static double[][] cached(MappedColumns m) {
    m.verify(0, m.rows());
    double[][] out = new double[m.columns()][(int) m.rows()];
    for (int c = 0; c < m.columns(); c++) {
      // In two pieces, so a copy that starts inside the column is exercised too.
      m.copy(c, 0, out[c], 0, 100);
      m.copy(c, 100, out[c], 100, (int) m.rows() - 100);
    }
    return out;
  }

  private static void assertSameBits(double[][] expected, double[][] actual) {
    assertEquals(expected.length, actual.length);
    for (int c = 0; c < expected.length; c++) {
      long[] e = java.util.Arrays.stream(expected[c]).mapToLong(Double::doubleToRawLongBits)
          .toArray();
      long[] a = java.util.Arrays.stream(actual[c]).mapToLong(Double::doubleToRawLongBits)
          .toArray();
      assertArrayEquals(e, a, "column " + c);
    }
  }

  @Test
  void theCacheHoldsTheInputFormatsValuesBitForBit() throws IOException {
    DatasetSpec d = csv("d.csv", 1000, 1);
    MappedColumns m = ColumnCache.open(settings(1L << 30), d, notes::add);
    assertEquals(d.digest(), m.digest());
    assertSameBits(inHeap(d), cached(m));
    // Built in batches of three chunks, which cut the columns elsewhere: the same file.
    Path other = dir.resolve("batched.cols");
    CacheBuilder.build(d, CacheFile.key(d.source()), other, 3 * 64 * 8 * 4);
    assertArrayEquals(Files.readAllBytes(m.file()), Files.readAllBytes(other));
  }

  @Test
  void aSecondRunReusesTheFileWithoutWritingIt() throws IOException {
    DatasetSpec d = csv("d.csv", 500, 2);
    long before = ColumnCache.builds();
    MappedColumns first = ColumnCache.open(settings(1L << 30), d, notes::add);
    Object inode = Files.readAttributes(first.file(), BasicFileAttributes.class).fileKey();
    assertEquals(before + 1, ColumnCache.builds());
    MappedColumns second = ColumnCache.open(settings(1L << 30), d, notes::add);
    assertEquals(before + 1, ColumnCache.builds(), "not built again");
    assertEquals(inode, Files.readAttributes(second.file(), BasicFileAttributes.class)
        .fileKey(), "the same file, not a rewritten one");
    assertSame(first, second, "workers of one JVM share one mapping");
    // The same data at another path have the same key.
    Path moved = Files.copy(dir.resolve("d.csv"), dir.resolve("copy.csv"));
    DatasetSpec elsewhere = new DatasetSpec(new CsvFormat().scan(new InputFormat.Request(moved,
        Settings.of(new CsvFormat().settings(), Map.of("features", "a,b,c", "target", "y"),
            n -> "--" + n), 0, 0, y -> null)).source(), 64);
    assertEquals(CacheFile.key(d.source()), CacheFile.key(elsewhere.source()));
    // Other columns are another entry.
    assertNotEquals(CacheFile.key(d.source()), CacheFile.key(new DatasetSpec.Source("csv",
        d.source().settings(), List.of("a", "b"), "y", d.source().rows(), d.digest())));
  }

  @Test
  void aTruncatedFileIsBuiltAgain() throws IOException {
    DatasetSpec d = csv("d.csv", 300, 3);
    Path file = ColumnCache.open(settings(1L << 30), d, notes::add).file();
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size - 8);
    }
    long before = ColumnCache.builds();
    MappedColumns again = ColumnCache.open(settings(1L << 30), d, notes::add);
    assertEquals(before + 1, ColumnCache.builds());
    assertEquals(size, Files.size(file));
    assertTrue(notes.stream().anyMatch(n -> n.contains("truncated")), notes.toString());
    assertSameBits(inHeap(d), cached(again));
  }

  @Test
  void aDamagedValueIsDetectedAndTheFileBuiltAgain() throws IOException {
    DatasetSpec d = csv("d.csv", 300, 4);
    MappedColumns m = ColumnCache.open(settings(1L << 30), d, notes::add);
    try (RandomAccessFile f = new RandomAccessFile(m.file().toFile(), "rw")) {
      long at = Files.size(m.file()) - 8 * 300 - 5; // a byte of column 2's last value
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
    MappedColumns.CorruptCacheException e = assertThrows(
        MappedColumns.CorruptCacheException.class, () -> m.verify(0, 300));
    assertTrue(e.getMessage().contains("column 2"), e.getMessage());
    MappedColumns rebuilt = ColumnCache.rebuild(m, d, e.getMessage(), notes::add);
    assertSameBits(inHeap(d), cached(rebuilt));
    // A damaged header is refused by its checksum, and built again.
    try (RandomAccessFile f = new RandomAccessFile(rebuilt.file().toFile(), "rw")) {
      f.seek(CacheFile.DIGEST_AT + 6);
      f.write('!');
    }
    long before = ColumnCache.builds();
    assertSameBits(inHeap(d), cached(ColumnCache.open(settings(1L << 30), d, notes::add)));
    assertEquals(before + 1, ColumnCache.builds());
  }

  @Test
  void twoBuildersAtOnceLeaveOneValidFile() throws Exception {
    DatasetSpec d = csv("d.csv", 2000, 5);
    long before = ColumnCache.builds();
    CyclicBarrier start = new CyclicBarrier(2);
    List<MappedColumns> got = new CopyOnWriteArrayList<>();
    List<Throwable> failed = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Thread t = new Thread(() -> {
        try {
          start.await();
          got.add(ColumnCache.open(settings(1L << 30), d, notes::add));
        } catch (Throwable e) {
          failed.add(e);
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(), failed);
    assertEquals(before + 1, ColumnCache.builds(), "the second waited for the first's file");
    try (var files = Files.list(dir.resolve("cache"))) {
      assertEquals(List.of(CacheFile.key(d.source()) + ".cols",
              CacheFile.key(d.source()) + ".lock"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    for (MappedColumns m : got) {
      assertSameBits(inHeap(d), cached(m));
    }
  }

  @Test
  void evictionRemovesTheLeastRecentlyUsedEntryPastTheCap() throws Exception {
    DatasetSpec a = csv("a.csv", 400, 6);
    DatasetSpec b = csv("b.csv", 400, 7);
    DatasetSpec c = csv("c.csv", 400, 8);
    long entry = CacheFile.dataStart(4, 400) + 8L * 4 * 400;
    CacheSettings cap = settings(2 * entry); // room for two entries
    Path fa = ColumnCache.open(cap, a, notes::add).file();
    Thread.sleep(20);
    Path fb = ColumnCache.open(cap, b, notes::add).file();
    Thread.sleep(20);
    ColumnCache.open(cap, a, notes::add); // a is used again: b is now the oldest
    Thread.sleep(20);
    Path fc = ColumnCache.open(cap, c, notes::add).file();
    assertTrue(Files.exists(fa));
    assertTrue(Files.exists(fc));
    assertTrue(!Files.exists(fb), "b, the least recently used, is evicted");
    assertTrue(notes.stream().anyMatch(n -> n.contains("removed " + fb)), notes.toString());
    // An entry larger than the cap is still kept while in use; the others go.
    Path only = ColumnCache.open(settings(1), b, notes::add).file();
    try (var files = Files.list(dir.resolve("cache"))) {
      assertEquals(List.of(only), files.filter(p -> p.toString().endsWith(".cols")).toList());
    }
  }

  @Test
  void sizesAndModesReadAsDocumented() {
    assertEquals(10L << 30, CacheSettings.size("--cache-max-size", "10G"));
    assertEquals(512L << 20, CacheSettings.size("--cache-max-size", "512MiB"));
    assertEquals(1536L << 20, CacheSettings.size("--cache-max-size", "1.5g"));
    assertEquals(4096, CacheSettings.size("--cache-max-size", "4096"));
    assertThrows(IllegalArgumentException.class,
        () -> CacheSettings.size("--cache-max-size", "lots"));
    assertEquals(CacheSettings.Mode.AUTO, CacheSettings.mode("--cache", "auto"));
    assertThrows(IllegalArgumentException.class, () -> CacheSettings.mode("--cache", "yes"));
    assertEquals(Path.of("/x/tapetrain"), CacheSettings.defaultDir(Map.of("XDG_CACHE_HOME",
        "/x")));
    assertEquals(Path.of(System.getProperty("user.home"), ".cache", "tapetrain"),
        CacheSettings.defaultDir(Map.of("XDG_CACHE_HOME", "relative")));
  }
}
