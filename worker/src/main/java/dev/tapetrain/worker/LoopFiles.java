package dev.tapetrain.worker;

import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.tape.CompiledFunction;
import dev.tapetrain.tape.LoopStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop cache: the class files of the model loops Janino compiled, in {@code loops/} of the
 * cache directory ({@code --cache-dir}), one file per loop, so a later run (or another worker
 * JVM) of the same model shape uses its loop from the first step, as a precompiled one, without
 * Janino (≈ 0.35–0.4 s in a fresh JVM). A {@link LoopStore} for the tape.
 *
 * <p>A file, {@code <key>.loop} (the key: {@code CompiledFunction}'s digest of the generated
 * source, the Janino release and the format), holds a header (magic, version, its own key, the
 * payload's length and CRC-32C) and the payload. Written to a temporary file of its own and
 * renamed into place, so readers need no lock and two JVMs writing one key at once leave one
 * whole file (the last rename's; both are the same loop). Not synced to disk: a file a crash
 * left short fails its length or checksum. A file that is short, damaged, another key's or
 * unreadable is a miss (debug log): the loop is compiled again and the file written again,
 * never a failure of the run.
 *
 * <p>Eviction: after each write, the directory keeps its most recently used loops (a run that
 * uses a loop marks its file's modification time) while they are at most {@link #MAX_FILES}
 * files and {@link #MAX_BYTES} bytes; the file just written is always kept. Temporary files
 * older than an hour (of a JVM killed while writing) are removed too. Loops are small (tens of
 * KB), so this costs one directory listing per new model shape.
 *
 * <p>Trust: a worker defines and runs these classes (a loaded loop's static initializer runs
 * before its bit check against the eager tape), so, as ccache and pip do with their caches, the
 * directory is used only if the user this JVM runs as owns it and neither its group nor others
 * may write to it (on a POSIX file system; on others this is not checked). Decided once, at the
 * first lookup or write: otherwise nothing is read from it or written to it in this run, with
 * one warning, and loops are compiled as without a cache. Created {@code rwx------}, its files
 * {@code rw-------}.
 *
 * <p>{@code --cache off} turns it off as well: that run reads and writes nothing in the cache
 * directory.
 */
public final class LoopFiles implements LoopStore {

  private static final Logger LOG = LoggerFactory.getLogger(LoopFiles.class);

  /** The subdirectory of the cache directory that holds the loops. */
  public static final String DIR = "loops";
  /** The loop files kept at most. */
  public static final int MAX_FILES = 256;
  /** The bytes of loop files kept at most: 64 MiB. */
  public static final long MAX_BYTES = 64L << 20;

  static final String EXTENSION = ".loop";
  private static final byte[] MAGIC = "tapeloop".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int KEY_LENGTH = 64;
  private static final int HEADER = MAGIC.length + 4 + KEY_LENGTH + 4 + 4;
  private static final long STALE_TEMP_MILLIS = 3_600_000L;
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");

  private final Path dir;
  private final int maxFiles;
  private final long maxBytes;
  /** The user this JVM runs as, or null to find out (tests pass another). */
  private final UserPrincipal me;
  /** Whether {@link #dir} may be used in this run: decided at the first lookup or write. */
  private volatile Boolean usable;

  /** A store in {@code dir} with the default caps. */
  public LoopFiles(Path dir) {
    this(dir, MAX_FILES, MAX_BYTES);
  }

  LoopFiles(Path dir, int maxFiles, long maxBytes) {
    this(dir, maxFiles, maxBytes, null);
  }

  LoopFiles(Path dir, int maxFiles, long maxBytes, UserPrincipal me) {
    this.dir = dir;
    this.maxFiles = maxFiles;
    this.maxBytes = maxBytes;
    this.me = me;
  }

  /**
   * Makes this JVM's compiled loops kept in the cache directory of {@code settings}, or in none
   * with {@code --cache off}.
   *
   * @return the store installed, or null
   */
  public static LoopFiles install(CacheSettings settings) {
    LoopFiles store = settings.mode() == CacheSettings.Mode.OFF ? null
        : new LoopFiles(settings.dir().resolve(DIR));
    CompiledFunction.keepLoopsIn(store);
    return store;
  }

  /** The directory of the loop files. */
  public Path dir() {
    return dir;
  }

  Path file(String key) {
    return dir.resolve(key + EXTENSION);
  }

  /**
   * Whether this run may read and write {@link #dir} (see the class comment): decided once,
   * creating the directory if it is missing; when not, the one warning says why.
   */
  boolean usable() {
    Boolean u = usable;
    if (u == null) {
      synchronized (this) {
        u = usable;
        if (u == null) {
          String why = LoopFolderTrust.distrust(dir, me);
          if (why != null) {
            LOG.warn("loop cache {} not used: {}; compiling loops in this run", dir, why);
          }
          u = why == null;
          usable = u;
        }
      }
    }
    return u;
  }



  private boolean posix() {
    return LoopFolderTrust.posix(dir);
  }

  /** {@code permissions} to create a file or directory with, or none where not POSIX. */
  private FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
    return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
        : new FileAttribute<?>[0];
  }


  @Override
  public byte[] load(String key) {
    if (!usable()) {
      return null;
    }
    Path file = file(key);
    byte[] bytes;
    try {
      if (Files.size(file) > maxBytes + HEADER) {
        LOG.debug("loop cache: ignoring {}: larger than the cache may hold", file);
        return null;
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      LOG.debug("loop cache: cannot read {}: {}", file, e.toString());
      return null;
    }
    String wrong = check(key, bytes);
    if (wrong != null) {
      LOG.debug("loop cache: ignoring {}: {}", file, wrong);
      return null;
    }
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException | RuntimeException e) {
      // A read-only cache is still usable; its loops are then evicted by their write time.
    }
    return Arrays.copyOfRange(bytes, HEADER, bytes.length);
  }

  /** Null if {@code bytes} is a whole file of {@code key}, else what is wrong with it. */
  static String check(String key, byte[] bytes) {
    if (bytes.length < HEADER) {
      return "shorter than its header (" + bytes.length + " bytes)";
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    if (!Arrays.equals(magic, MAGIC) || b.getInt() != VERSION) {
      return "not a loop file of this version";
    }
    byte[] k = new byte[KEY_LENGTH];
    b.get(k);
    if (!new String(k, StandardCharsets.US_ASCII).equals(key)) {
      return "the file of another loop";
    }
    int length = b.getInt();
    int crc = b.getInt();
    if (length != bytes.length - HEADER) {
      return "its header says " + length + " bytes, " + (bytes.length - HEADER) + " follow";
    }
    if (crc != crc(bytes, HEADER, length)) {
      return "checksum mismatch";
    }
    return null;
  }

  @Override
  public void store(String key, byte[] payload) {
    if (key.length() != KEY_LENGTH || payload.length > maxBytes || !usable()) {
      return; // not a key of the tape's, a loop the cache may not hold, or a distrusted cache
    }
    Path file = file(key);
    Path temp = null;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, ownerOnly(OWNER_ONLY_DIR)); // removed since it was checked
      }
      temp = Files.createTempFile(dir, key + ".", ".tmp", ownerOnly(OWNER_ONLY_FILE));
      Files.write(temp, encode(key, payload));
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
      LOG.debug("loop cache: wrote {} ({} bytes)", file, payload.length);
      evict(file);
    } catch (IOException | RuntimeException e) {
      LOG.debug("loop cache: cannot write {}: {}", file, e.toString());
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // Removed with the stale temporary files of a later write.
        }
      }
    }
  }

  @Override
  public void rejected(String key, String why) {
    LOG.debug("loop cache: {} is not a usable loop ({}); compiling it again", file(key), why);
  }

  static byte[] encode(String key, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
    b.put(MAGIC).putInt(VERSION).put(key.getBytes(StandardCharsets.US_ASCII))
        .putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload);
    return b.array();
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  /** The eviction rule (see the class comment), keeping {@code written}. */
  void evict(Path written) throws IOException {
    record Entry(Path path, long size, long used) {}
    List<Entry> entries = new ArrayList<>();
    long now = System.currentTimeMillis();
    try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
      for (Path p : list) {
        String name = p.getFileName().toString();
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (name.endsWith(EXTENSION)) {
            entries.add(new Entry(p, a.size(), a.lastModifiedTime().toMillis()));
          } else if (name.endsWith(".tmp")
              && now - a.lastModifiedTime().toMillis() > STALE_TEMP_MILLIS) {
            Files.deleteIfExists(p);
          }
        } catch (IOException e) {
          // Removed meanwhile by another JVM's eviction.
        }
      }
    }
    entries.sort(Comparator.comparingLong(Entry::used).reversed()
        .thenComparing(e -> e.path().toString()));
    int files = 0;
    long bytes = 0;
    for (Entry e : entries) {
      if (e.path().equals(written)) {
        files++;
        bytes += e.size();
      }
    }
    for (Entry e : entries) {
      if (e.path().equals(written)) {
        continue;
      }
      if (files + 1 <= maxFiles && bytes + e.size() <= maxBytes) {
        files++;
        bytes += e.size();
      } else if (Files.deleteIfExists(e.path())) {
        LOG.debug("loop cache: removed {} (least recently used beyond {} files or {} bytes)",
            e.path(), maxFiles, maxBytes);
      }
    }
  }
}
