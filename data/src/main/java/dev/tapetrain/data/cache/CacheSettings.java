package dev.tapetrain.data.cache;

import dev.tapetrain.spi.UserError;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a worker keeps its samples in the column cache, where the cache lives and how large
 * it may grow.
 *
 * @param mode     {@link Mode#ON}: always; {@link Mode#OFF}: never; {@link Mode#AUTO}: when the
 *                 worker's share does not fit its heap
 * @param dir      the cache directory, shared by every run of this user
 * @param maxBytes after a run opens its entry, older entries are removed, least recently used
 *                 first, until the directory's entries take at most this many bytes (the entry in
 *                 use is never removed, even if it alone is larger)
 */
public record CacheSettings(Mode mode, Path dir, long maxBytes) {

  /** When the cache is used. */
  public enum Mode {
    /** Always, for any data. */
    ON,
    /** Never: samples on the heap, a share that does not fit is refused. */
    OFF,
    /** When the share does not fit the heap (and the data can be cached). */
    AUTO
  }

  /** The default size cap: 10 GiB. */
  public static final long DEFAULT_MAX_BYTES = 10L << 30;

  /** Validates. */
  public CacheSettings {
    java.util.Objects.requireNonNull(mode, "mode");
    dir = dir.toAbsolutePath().normalize();
    if (maxBytes < 0) {
      throw new UserError("--cache-max-size must not be negative, got " + maxBytes);
    }
  }

  /** {@code auto} in the default directory with the default cap. */
  public static CacheSettings defaults() {
    return new CacheSettings(Mode.AUTO, defaultDir(System.getenv()), DEFAULT_MAX_BYTES);
  }

  /** The same settings with the cache always used. */
  public CacheSettings on() {
    return new CacheSettings(Mode.ON, dir, maxBytes);
  }

  /**
   * The default directory: {@code $XDG_CACHE_HOME/tapetrain} when that variable is an absolute
   * path (the XDG base directory rule), else {@code ~/.cache/tapetrain}.
   */
  public static Path defaultDir(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "tapetrain");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "tapetrain");
  }

  /**
   * {@code --cache}'s value.
   *
   * @throws UserError naming the option for anything but on, off or auto
   */
  public static Mode mode(String option, String text) {
    try {
      return Mode.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UserError(option + " must be on, off or auto, got '" + text + "'");
    }
  }

  /**
   * A size such as {@code 10G}, {@code 512M}, {@code 1.5GiB} or a number of bytes (K, M, G, T
   * are powers of 1024; a trailing {@code B} or {@code iB} is allowed).
   *
   * @throws UserError naming the option if it is not a size
   */
  public static long size(String option, String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (t.endsWith("IB")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    int shift = 0;
    if (!t.isEmpty()) {
      int at = "KMGT".indexOf(t.charAt(t.length() - 1));
      if (at >= 0) {
        shift = 10 * (at + 1);
        t = t.substring(0, t.length() - 1);
      }
    }
    try {
      double v = Double.parseDouble(t.trim());
      double bytes = v * Math.pow(2, shift);
      if (!(bytes >= 0) || bytes > 0x1p62) {
        throw new NumberFormatException();
      }
      return (long) bytes;
    } catch (NumberFormatException e) {
      throw new UserError(option + " must be a size such as 10G, 512M or a number of bytes, got '"
          + text + "'");
    }
  }
}
