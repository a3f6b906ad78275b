package dev.tapetrain.data.cache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The eviction rule of the cache directory: entries ({@code *.cols}) are kept most recently used
 * first (by modification time, which every run that opens an entry sets) while their sizes add
 * up to at most the cap; the rest are deleted. The entry in use is never deleted. A run that
 * still has a deleted entry mapped keeps reading it (POSIX keeps an unlinked file until it is
 * unmapped); temporary files of running builds and the small lock files are left alone.
 */
final class CacheEviction {

  private CacheEviction() {}

  /** Applies the rule to {@code dir} with cap {@code maxBytes}, keeping {@code inUse}. */
  static void evict(Path dir, long maxBytes, Path inUse, Consumer<String> notes)
      throws IOException {
    record Entry(Path path, long size, long used) {}
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "*" + CacheFile.EXTENSION)) {
      for (Path p : list) {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          entries.add(new Entry(p, a.size(), a.lastModifiedTime().toMillis()));
        } catch (IOException e) {
          // Deleted meanwhile by another run's eviction.
        }
      }
    }
    entries.sort(Comparator.comparingLong(Entry::used).reversed()
        .thenComparing(e -> e.path().toString()));
    long total = 0;
    for (Entry e : entries) {
      if (e.path().equals(inUse)) {
        total += e.size();
      }
    }
    for (Entry e : entries) {
      if (e.path().equals(inUse)) {
        continue;
      }
      if (total + e.size() <= maxBytes) {
        total += e.size();
        continue;
      }
      if (Files.deleteIfExists(e.path())) {
        notes.accept("column cache: removed " + e.path() + " (" + e.size() + " bytes, least "
            + "recently used, over --cache-max-size " + maxBytes + ")");
      }
    }
  }
}
