package dev.tapetrain.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.tape.CompiledFunction;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
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
import org.slf4j.LoggerFactory;

/**
 * The loop cache's files: what was stored is loaded back whole or not at all (a short, damaged,
 * misplaced or unreadable file is a miss, and the next store writes it whole again), two writers
 * of one key leave one whole file, the directory keeps its most recently used loops within its
 * caps, and a directory others may write to (or another user's) is neither read nor written.
 */
class LoopFilesTest {

  @TempDir
  Path dir;

  @AfterEach
  void noStore() {
    CompiledFunction.keepLoopsIn(null);
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

  @Test
  void theFolderIsCreatedForItsOwnerOnlyAndItsFilesTooAndThenUsed() throws Exception {
    LoopFiles store = new LoopFiles(dir.resolve("cache").resolve("loops"));
    byte[] p = payload(8, 700);
    store.store(key(8), p);
    assertEquals("rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(store.dir())));
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file(key(8)))));
    assertTrue(store.usable());
    assertArrayEquals(p, new LoopFiles(store.dir()).load(key(8)), "another run reads it");
    // A folder of an earlier release (made with the umask: rwxr-xr-x) is still this user's.
    Files.setPosixFilePermissions(store.dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
    assertArrayEquals(p, new LoopFiles(store.dir()).load(key(8)));
  }

  /**
   * This user's own folder that its group or others may write (a umask of 002 made it so with
   * builds before 2026-12-07, which created it without a mode of their own) is taken back to
   * this user alone and used: refusing it left the cache off for good (found by review).
   */
  @Test
  void thisUsersFolderThatItsGroupOrOthersMayWriteIsTightenedAndUsed() throws Exception {
    Path loops = dir.resolve("loops");
    byte[] p = payload(9, 900);
    new LoopFiles(loops).store(key(9), p); // a valid entry, as a run may have left it
    for (String mode : List.of("rwxrwxr-x", "rwxr-xrwx")) {
      Files.setPosixFilePermissions(loops, PosixFilePermissions.fromString(mode));
      List<String> warnings;
      try (Warnings log = new Warnings()) {
        LoopFiles store = new LoopFiles(loops);
        assertArrayEquals(p, store.load(key(9)), mode + ": its entry is read");
        warnings = log.lines();
      }
      assertEquals(List.of(), warnings, mode + ": no warning");
      assertEquals("rwxr-xr-x", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(loops)), mode + ": group and others cannot write");
    }
  }

  @Test
  void aFolderOfAnotherUserIsNeitherReadNorWritten() throws Exception {
    Path loops = dir.resolve("loops");
    new LoopFiles(loops).store(key(12), payload(12, 800));
    // This folder is ours; a store that runs as someone else sees another user's folder.
    UserPrincipal mallory = () -> "mallory";
    LoopFiles store = new LoopFiles(loops, LoopFiles.MAX_FILES, LoopFiles.MAX_BYTES, mallory);
    List<String> warnings;
    try (Warnings log = new Warnings()) {
      assertNull(store.load(key(12)));
      store.store(key(13), payload(13, 800));
      warnings = log.lines();
    }
    assertFalse(Files.exists(store.file(key(13))), "nothing written");
    String owner = Files.getOwner(loops).getName();
    assertEquals(List.of("loop cache " + loops + " not used: owned by " + owner
        + ", not by mallory (drwx------); compiling loops in this run"), warnings);
  }

  @Test
  void aRunWithADistrustedFolderCompilesItsLoopAndStoresNothing() throws Exception {
    Path loops = Files.createDirectories(dir.resolve("loops"));
    // Ours; a store that runs as someone else sees another user's folder.
    UserPrincipal mallory = () -> "mallory";
    CompiledFunction.keepLoopsIn(new LoopFiles(loops, LoopFiles.MAX_FILES, LoopFiles.MAX_BYTES,
        mallory));
    // A constant no other test uses: a source this JVM has not compiled yet.
    CompiledFunction f = CompiledFunction.compile(
        (v, s) -> new Tensor[] {Ops.sum(Ops.mul(v[0], Tensor.scalar(0.796875)))},
        new double[][] {{1.0, 2.0, 3.0, 4.0}}, new double[0]);
    assertFalse(f.fromLoopStore());
    double[] out = new double[1];
    f.apply(new double[][] {{1.0, 2.0, 3.0, 4.0}}, 0, 4, new double[0], out);
    assertEquals(7.96875, out[0]);
    try (Stream<Path> files = Files.list(loops)) {
      assertEquals(List.of(), files.toList(), "the compiled loop is not stored");
    }
  }

  @Test
  void theDecisionOnAFoldersOwnerAndMode() throws Exception {
    UserPrincipal me = () -> "me";
    UserPrincipal other = () -> "other";
    assertNull(LoopFolderTrust.decide(me, me, PosixFilePermissions.fromString("rwx------")));
    assertNull(LoopFolderTrust.decide(me, me, PosixFilePermissions.fromString("rwxr-xr-x")));
    assertEquals("owned by other, not by me (drwx------)",
        LoopFolderTrust.decide(other, me, PosixFilePermissions.fromString("rwx------")));
    assertEquals("writable by its group (drwx-w----)",
        LoopFolderTrust.decide(me, me, PosixFilePermissions.fromString("rwx-w----")));
    assertEquals("writable by others (drwx----w-)",
        LoopFolderTrust.decide(me, me, PosixFilePermissions.fromString("rwx----w-")));
  }

  /** The warnings of {@link LoopFiles} while a test runs (logback). */
  private static final class Warnings implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(LoopFiles.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    Warnings() {
      appender.start();
      logger.addAppender(appender);
    }

    List<String> lines() {
      synchronized (appender) {
        return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
            .map(ILoggingEvent::getFormattedMessage).toList();
      }
    }

    @Override
    public void close() {
      logger.detachAppender(appender);
      appender.stop();
    }
  }
}
