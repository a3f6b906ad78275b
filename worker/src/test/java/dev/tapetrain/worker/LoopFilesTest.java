package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.cache.CacheSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop cache's files: what was stored is loaded back whole or not at all (a short, damaged,
 * misplaced or unreadable file is a miss, and the next store writes it whole again), two writers
 * of one key leave one whole file, and the directory keeps its most recently used loops within
 * its caps.
 */
class LoopFilesTest {

  @TempDir
  Path dir;

  @AfterEach
  void noStore() {
    dev.tapetrain.tape.CompiledFunction.keepLoopsIn(null);
  }

  private static String key(int k) {
    return String.format("%064x", k);
  }

  private static byte[] payload(int seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aStoredLoopIsLoadedBackAndMarkedUsed() throws Exception {
    LoopFiles store = new LoopFiles(dir.resolve("loops"));
    assertNull(store.load(key(1)), "nothing there yet");
    byte[] p = payload(1, 5000);
    store.store(key(1), p);
    Path file = store.file(key(1));
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000L));
    assertArrayEquals(p, store.load(key(1)));
    assertTrue(Files.getLastModifiedTime(file).toMillis() > 1_000_000L, "marked used");
    try (Stream<Path> files = Files.list(store.dir())) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
  }

  @Test
  void anotherKeyNeverReadsThisOnesFile() throws Exception {
    LoopFiles store = new LoopFiles(dir);
    store.store(key(1), payload(1, 100));
    assertNull(store.load(key(2)));
    // Even a file copied under the other's name: the header names its key.
    Files.copy(store.file(key(1)), store.file(key(2)));
    assertNull(store.load(key(2)));
    assertNotNull(store.load(key(1)));
  }

  @Test
  void damagedFilesAreMissesAndWrittenWholeAgain() throws Exception {
    LoopFiles store = new LoopFiles(dir);
    byte[] p = payload(2, 3000);
    store.store(key(3), p);
    Path file = store.file(key(3));
    byte[] good = Files.readAllBytes(file);
    List<byte[]> damaged = new ArrayList<>();
    damaged.add(new byte[0]);
    damaged.add(java.util.Arrays.copyOf(good, 20)); // inside the header
    damaged.add(java.util.Arrays.copyOf(good, good.length - 1)); // one byte short
    byte[] flipped = good.clone();
    flipped[flipped.length - 100] ^= 0x10; // one bit of the payload
    damaged.add(flipped);
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 7);
    damaged.add(longer);
    byte[] otherVersion = good.clone();
    otherVersion[11] = 9; // the version's last byte
    damaged.add(otherVersion);
    for (byte[] bad : damaged) {
      Files.write(file, bad);
      assertNull(store.load(key(3)), bad.length + " bytes");
      store.store(key(3), p);
      assertArrayEquals(good, Files.readAllBytes(file), "written whole again");
      assertArrayEquals(p, store.load(key(3)));
    }
    // Unreadable (here: a directory where the file should be): a miss, and no failure.
    Files.delete(file);
    Files.createDirectory(file);
    assertNull(store.load(key(3)));
    store.store(key(3), p); // cannot replace a directory: dropped quietly
    assertNull(store.load(key(3)));
  }

  @Test
  void twoWritersOfOneKeyLeaveOneWholeFileAndReadersNeverMissIt() throws Exception {
    // Two JVMs' workers compiling the same model at once: two stores, same directory.
    LoopFiles a = new LoopFiles(dir);
    LoopFiles b = new LoopFiles(dir);
    byte[] pa = payload(4, 20_000);
    byte[] pb = payload(5, 30_000);
    a.store(key(7), pa); // then rewritten by both at once: never missing meanwhile
    AtomicBoolean writing = new AtomicBoolean(true);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    List<String> wrong = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] writers = {
        new Thread(() -> write(a, pa, start)), new Thread(() -> write(b, pb, start))};
    Thread reader = new Thread(() -> {
      while (writing.get()) {
        byte[] got = a.load(key(7));
        if (got == null) {
          seen.add("none");
        } else if (java.util.Arrays.equals(got, pa)) {
          seen.add("a");
        } else if (java.util.Arrays.equals(got, pb)) {
          seen.add("b");
        } else {
          synchronized (wrong) {
            wrong.add(got.length + " bytes");
          }
        }
      }
    });
    reader.start();
    for (Thread t : writers) {
      t.start();
    }
    start.countDown();
    for (Thread t : writers) {
      t.join();
    }
    writing.set(false);
    reader.join();
    assertTrue(wrong.isEmpty(), "a reader saw a mixed or partial loop: " + wrong);
    assertFalse(seen.contains("none"), "a whole file is in place at every moment: " + seen);
    assertFalse(seen.isEmpty());
    byte[] last = a.load(key(7));
    assertTrue(java.util.Arrays.equals(last, pa) || java.util.Arrays.equals(last, pb));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(a.file(key(7))), files.toList(), "one file, no temporary left");
    }
  }

  private static void write(LoopFiles store, byte[] payload, CountDownLatch start) {
    try {
      start.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    for (int i = 0; i < 200; i++) {
      store.store(key(7), payload);
    }
  }

  @Test
  void theLeastRecentlyUsedLoopsGoBeyondTheCaps() throws Exception {
    LoopFiles store = new LoopFiles(dir, 3, 10_000);
    for (int k = 1; k <= 3; k++) {
      store.store(key(k), payload(k, 1000));
      Files.setLastModifiedTime(store.file(key(k)), FileTime.fromMillis(1_000_000L * k));
    }
    assertNotNull(store.load(key(1))); // used now: the most recent
    store.store(key(4), payload(4, 1000)); // a fourth file: one over the count
    assertFalse(Files.exists(store.file(key(2))), "the least recently used is removed");
    for (int k : new int[] {1, 3, 4}) {
      assertTrue(Files.exists(store.file(key(k))), "kept: " + k);
    }
    // Over the byte cap: the new file is kept, older ones go until the rest fits.
    Files.setLastModifiedTime(store.file(key(3)), FileTime.fromMillis(1_000L));
    store.store(key(5), payload(5, 8000));
    assertTrue(Files.exists(store.file(key(5))));
    long total = 0;
    int count = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        total += Files.size(p);
        count++;
      }
    }
    assertTrue(total <= 10_000 && count <= 3, total + " bytes in " + count + " files");
    assertFalse(Files.exists(store.file(key(3))), "the oldest went first");
    // A loop that nearly fills the cap is kept alone (the others go).
    LoopFiles tiny = new LoopFiles(dir, 3, 9_000);
    tiny.store(key(6), payload(6, 8_900));
    assertTrue(Files.exists(tiny.file(key(6))));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(tiny.file(key(6))), files.toList());
    }
  }

  @Test
  void cacheOffKeepsNoLoopsAndOtherwiseTheyGoToLoopsOfTheCacheDir() {
    assertNull(LoopFiles.install(new CacheSettings(CacheSettings.Mode.OFF, dir, 1)));
    for (CacheSettings.Mode mode : List.of(CacheSettings.Mode.AUTO, CacheSettings.Mode.ON)) {
      LoopFiles store = LoopFiles.install(new CacheSettings(mode, dir, 1));
      assertEquals(dir.resolve("loops"), store.dir(), mode.toString());
    }
  }
}
