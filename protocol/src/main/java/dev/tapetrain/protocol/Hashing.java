package dev.tapetrain.protocol;

/**
 * Hashing shared by data generation, step digests, model layouts, file and checkpoint checksums:
 * the one place SHA-256 is set up.
 */
public final class Hashing {

  /** The 64-bit golden ratio, SplitMix64's increment. */
  public static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Hashing() {}

  /** SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A fresh SHA-256 digest (every Java platform has one). */
  public static java.security.MessageDigest sha256() {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The SHA-256 of {@code bytes}. */
  public static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  /** The SHA-256 of {@code bytes}, in lower-case hex. */
  public static String sha256Hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(sha256(bytes));
  }

  /** Folds the exact bits of {@code v} into {@code h}. */
  public static long add(long h, double v) {
    return mix64(h ^ Double.doubleToRawLongBits(v)) + GOLDEN;
  }
}
