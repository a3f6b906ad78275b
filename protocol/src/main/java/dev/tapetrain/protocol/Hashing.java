package dev.tapetrain.protocol;

/** Small, fast, portable 64-bit hashing shared by data generation and step digests. */
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

  /** Folds the exact bits of {@code v} into {@code h}. */
  public static long add(long h, double v) {
    return mix64(h ^ Double.doubleToRawLongBits(v)) + GOLDEN;
  }
}
