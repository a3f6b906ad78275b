package dev.tapetrain.worker;

import dev.tapetrain.data.cache.CacheSettings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The column cache's options, shared by every command whose workers hold samples
 * ({@code train}, {@code worker}): picocli mixin.
 */
public final class CacheOptions {

  @Option(names = "--cache", defaultValue = "auto", paramLabel = "on|off|auto",
      description = "Keep the samples in the column cache, a memory-mapped file, instead of the "
          + "heap: on (always), off (never: a share larger than the heap is refused), auto "
          + "(when a worker's share does not fit its heap) (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "The column cache's directory, shared by runs (default: "
          + "$XDG_CACHE_HOME/tapetrain, else ~/.cache/tapetrain).")
  Path dir;

  @Option(names = "--cache-max-size", defaultValue = "10G", paramLabel = "SIZE",
      description = "Remove least recently used cache files beyond this total, e.g. 10G, 512M "
          + "(the one in use is kept) (default: ${DEFAULT-VALUE}).")
  String maxSize;

  /**
   * The settings these options give, the default directory taken from {@code env}.
   *
   * @throws dev.tapetrain.spi.UserError naming the option with a bad value
   */
  public CacheSettings settings(Map<String, String> env) {
    return new CacheSettings(CacheSettings.mode("--cache", mode),
        dir != null ? dir : CacheSettings.defaultDir(env),
        CacheSettings.size("--cache-max-size", maxSize));
  }
}
