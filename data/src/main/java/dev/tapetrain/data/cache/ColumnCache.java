package dev.tapetrain.data.cache;

import dev.tapetrain.data.DataException;
import dev.tapetrain.protocol.DatasetSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The shared cache directory: finds a dataset's entry ({@code <key>.cols}, key by
 * {@link CacheFile#key}), builds it if it is missing or damaged, and maps it.
 *
 * <p>Two runs at once: a valid file is only ever renamed into place complete, so readers need
 * no lock; a builder holds an exclusive OS lock on {@code <key>.lock} (and, within this JVM, the
 * key's monitor, since POSIX locks belong to the process) and looks again once it has it, so
 * the second of two runs waits for the first one's file and uses it. A run that opens an entry
 * marks it used (its modification time) and then removes the least recently used other entries
 * until the directory holds at most {@link CacheSettings#maxBytes()} ({@link CacheEviction}).
 * Workers of one JVM share one mapping.
 */
public final class ColumnCache {

  private static final Map<String, Object> MONITORS = new ConcurrentHashMap<>();
  // This JVM's mappings by file, reused while the file is the same (same inode).
  private static final Map<Path, MappedColumns> OPEN = new HashMap<>();

  private ColumnCache() {}

  /**
   * Whether {@code source}'s input format can fill a cache chunk by chunk without reading its
   * files whole each time: every format but CSV and Parquet files recorded before manifests.
   */
  public static boolean cacheable(DatasetSpec.Source source) {
    boolean files = source.setting("path") != null || source.setting("paths") != null;
    return !files || source.setting("manifest") != null || source.setting("row-groups") != null;
  }

  /**
   * Whether a share of {@code source} goes to the cache under {@code settings}: with
   * {@link CacheSettings.Mode#ON} whenever it can ({@link #cacheable}); with
   * {@link CacheSettings.Mode#AUTO} for file data that can be cached and whose share does not
   * fit the heap ({@code fits} false) — generated data are not written to disk to be read back,
   * they stay on the heap (and a share too large is refused) unless the cache is on.
   */
  public static boolean wanted(CacheSettings settings, DatasetSpec.Source source, boolean fits) {
    boolean files = source.setting("path") != null || source.setting("paths") != null;
    return switch (settings.mode()) {
      case OFF -> false;
      case ON -> cacheable(source);
      case AUTO -> !fits && files && cacheable(source);
    };
  }

  /**
   * Makes sure the cache directory of {@code settings} exists and can be written, so a run that
   * will use it is refused before it starts rather than by each worker.
   *
   * @throws dev.tapetrain.spi.UserError naming {@code --cache-dir} and the problem
   */
  public static void checkDirectory(CacheSettings settings) {
    Path dir = settings.dir();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new dev.tapetrain.spi.UserError("--cache-dir " + dir + ": a file, not a directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new dev.tapetrain.spi.UserError("--cache-dir " + dir + ": cannot create it ("
          + reason(e) + ")");
    }
    if (!Files.isWritable(dir)) {
      throw new dev.tapetrain.spi.UserError("--cache-dir " + dir + ": cannot write in it");
    }
  }

  private static String reason(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /**
   * The mapped entry of {@code dataset} in {@code settings.dir()}, built first if it is
   * missing or damaged (and then said to {@code notes}).
   *
   * @throws DataException in one line if the entry cannot be built or the data cannot be read
   */
  public static MappedColumns open(CacheSettings settings, DatasetSpec dataset,
      Consumer<String> notes) {
    String key = CacheFile.key(dataset.source());
    Path file = CacheFile.path(settings.dir(), key);
    try {
      Files.createDirectories(settings.dir());
      MappedColumns mapped = tryOpen(file, key, null, null);
      if (mapped == null) {
        mapped = buildLocked(dataset, key, file, null, notes);
      }
      used(file);
      CacheEviction.evict(settings.dir(), settings.maxBytes(), file, notes);
      return mapped;
    } catch (IOException e) {
      throw new DataException("cannot use the column cache " + file + ": " + reason(e)
          + " (free disk space, or give --cache-dir elsewhere, or --cache off and a larger "
          + "-Xmx)", e);
    }
  }

  /**
   * The mapped entry of {@code dataset} in {@code settings.dir()} if a valid one is there, else
   * null: never builds (for a reader such as {@code predict} that can read the files instead).
   * An entry found is marked used, like one {@link #open} returns.
   *
   * @throws DataException in one line if the entry exists but cannot be read
   */
  public static MappedColumns existing(CacheSettings settings, DatasetSpec dataset) {
    String key = CacheFile.key(dataset.source());
    Path file = CacheFile.path(settings.dir(), key);
    try {
      MappedColumns mapped = tryOpen(file, key, null, null);
      if (mapped != null) {
        used(file);
      }
      return mapped;
    } catch (IOException e) {
      throw new DataException("cannot read the column cache " + file + ": " + reason(e), e);
    }
  }

  /**
   * Replaces {@code damaged} (whose checksum failed: {@code why}) with a new build, unless
   * another run already did.
   *
   * @throws DataException in one line if it cannot be rebuilt
   */
  public static MappedColumns rebuild(MappedColumns damaged, DatasetSpec dataset, String why,
      Consumer<String> notes) {
    String key = CacheFile.key(dataset.source());
    try {
      notes.accept(why + "; building it again");
      return buildLocked(dataset, key, damaged.file(), damaged.fileKey(), notes);
    } catch (IOException e) {
      throw new DataException("cannot rebuild the column cache " + damaged.file() + ": "
          + reason(e), e);
    }
  }

  private static MappedColumns buildLocked(DatasetSpec dataset, String key, Path file,
      Object damaged, Consumer<String> notes) throws IOException {
    synchronized (MONITORS.computeIfAbsent(key, k -> new Object())) {
      Path lock = file.resolveSibling(key + ".lock");
      try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock held = ch.lock()) {
        MappedColumns mapped = tryOpen(file, key, damaged, notes);
        if (mapped != null) {
          return mapped; // another run built it while this one waited
        }
        deleteLeftovers(file);
        long t0 = System.nanoTime();
        long read = CacheBuilder.buildCounted(dataset, key, file);
        notes.accept(String.format(java.util.Locale.ROOT, "column cache %s written (%d rows%s, "
            + "%.1f s)", file, dataset.examples(), readFrom(dataset.source(), read),
            (System.nanoTime() - t0) / 1e9));
        mapped = tryOpen(file, key, null, null);
        if (mapped == null) {
          throw new IOException("the file just written does not read back");
        }
        return mapped;
      }
    }
  }

  /**
   * The mapping of {@code file} if it is a valid entry of {@code key} (not the damaged file
   * {@code damaged}, which is deleted), else null; what is wrong with an invalid file goes to
   * {@code notes} if not null (a builder replaces it).
   */
  private static MappedColumns tryOpen(Path file, String key, Object damaged,
      Consumer<String> notes) throws IOException {
    Object inode;
    try {
      inode = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
    if (damaged != null && damaged.equals(inode)) {
      Files.deleteIfExists(file);
      return null;
    }
    // The header (with its size check) is read every time, also for a file mapped already.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      String[] why = new String[1];
      CacheFile.Header header = CacheFile.read(ch, key, why);
      if (header == null) {
        if (notes != null) {
          notes.accept("column cache " + file + ": " + why[0] + "; building it again");
        }
        return null;
      }
      synchronized (OPEN) {
        MappedColumns known = OPEN.get(file);
        if (known != null && inode != null && inode.equals(known.fileKey())
            && java.util.Arrays.equals(header.crcs(), known.crcs())) {
          return known;
        }
        MappedColumns mapped = MappedColumns.map(file, inode, ch, header);
        OPEN.put(file, mapped);
        return mapped;
      }
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Removes temporary files of builds that died (the caller holds the key's lock). */
  private static void deleteLeftovers(Path file) throws IOException {
    String prefix = file.getFileName() + ".tmp-";
    try (var list = Files.newDirectoryStream(file.getParent(), prefix + "*")) {
      for (Path p : list) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** What a build read ({@code bytes}, -1 if not counted), for its note: ", 70.8 MB read …". */
  private static String readFrom(DatasetSpec.Source source, long bytes) {
    if (source.setting("path") == null && source.setting("paths") == null) {
      return ", generated";
    }
    int files = dev.tapetrain.data.FileSet.of(source).files().size();
    String from = files + (files == 1 ? " file" : " files");
    return bytes < 0 ? ", read from " + from
        : String.format(java.util.Locale.ROOT, ", %.1f MB read from %s", bytes / 1e6, from);
  }

  /** Marks {@code file} used now, for the least-recently-used eviction. */
  private static void used(Path file) {
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      // A read-only cache is still usable; it is then evicted by its build time.
    }
  }

  /** Cache files this JVM has built (for tests). */
  public static long builds() {
    return CacheBuilder.BUILDS.get();
  }
}
