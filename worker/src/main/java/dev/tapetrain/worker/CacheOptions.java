package dev.tapetrain.worker;

import dev.tapetrain.data.cache.CacheSettings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The column cache's options, shared by every command whose workers hold samples
 * ({@code train}, {@code worker}): picocli mixin. Their names, defaults and value labels, and
 * how they become {@link CacheSettings}, are also those of {@code local-runner predict}'s cache
 * options (which read the cache, so their help says other things): one definition, here.
 */
public final class CacheOptions {

  /** The option that says when the cache is used. */
  public static final String MODE = "--cache";
  /** {@link #MODE}'s default. */
  public static final String DEFAULT_MODE = "auto";
  /** {@link #MODE}'s values, as the help shows them. */
  public static final String MODE_LABEL = "on|off|auto";
  /** The option that names the cache's directory. */
  public static final String DIR = "--cache-dir";
  /** {@link #DIR}'s default, as the help says it ({@link CacheSettings#defaultDir}). */
  public static final String DEFAULT_DIR = "~/.cache/tapetrain, or $XDG_CACHE_HOME/tapetrain if set";
  /** The option that caps the cache's total size. */
  public static final String MAX_SIZE = "--cache-max-size";
  /** {@link #MAX_SIZE}'s default. */
  public static final String DEFAULT_MAX_SIZE = "10G";

  @Option(names = MODE, defaultValue = DEFAULT_MODE, paramLabel = MODE_LABEL,
      description = "Keep the samples in the column cache, a memory-mapped file, instead of the "
          + "heap: on (always), off (never: a share larger than the heap is refused), auto "
          + "(when the samples a JVM holds do not fit its heap: a worker's share, or in "
          + "local-runner all of them) (default: ${DEFAULT-VALUE}). In local-runner, on also "
          + "makes the workers read the files instead of taking the values the scan parsed. "
          + "Unless off, compiled model loops are kept in DIR/loops too, for later runs.")
  String mode;

  @Option(names = DIR, paramLabel = "DIR",
      description = "The cache directory (column cache, loops/), shared by runs (default: "
          + DEFAULT_DIR + ").")
  Path dir;

  @Option(names = MAX_SIZE, defaultValue = DEFAULT_MAX_SIZE, paramLabel = "SIZE",
      description = "Remove least recently used cache files beyond this total, e.g. 10G, 512M "
          + "(the one in use is kept) (default: ${DEFAULT-VALUE}).")
  String maxSize;

  /**
   * The settings these options give, the default directory taken from {@code env}.
   *
   * @throws dev.tapetrain.spi.UserError naming the option with a bad value
   */
  public CacheSettings settings(Map<String, String> env) {
    return settings(mode, dir, maxSize, env);
  }

  /**
   * The settings the three options give with the values {@code mode}, {@code dir} (null: not
   * given, the default taken from {@code env}) and {@code maxSize}.
   *
   * @throws dev.tapetrain.spi.UserError naming the option with a bad value
   */
  public static CacheSettings settings(String mode, Path dir, String maxSize,
      Map<String, String> env) {
    return new CacheSettings(CacheSettings.mode(MODE, mode),
        dir != null ? dir : CacheSettings.defaultDir(env), CacheSettings.size(MAX_SIZE, maxSize));
  }
}
