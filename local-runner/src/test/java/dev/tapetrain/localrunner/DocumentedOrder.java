package dev.tapetrain.localrunner;

/**
 * The order of an epoch written again from docs/training-loop.md ("The order of an epoch"),
 * independently of {@code EpochOrder}, for the tests' plain loops.
 */
final class DocumentedOrder {

  private DocumentedOrder() {}

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The shuffled order of samples {@code 0 .. n − 1} in {@code epoch} of a run with {@code seed}. */
  static int[] permutation(long seed, long epoch, int n) {
    final long golden = 0x9E3779B97F4A7C15L;
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    long state = mix(seed ^ mix(epoch + golden));
    for (int i = n - 1; i > 0; i--) {
      state += golden;
      long z = mix(state);
      int j = (int) (((z >>> 32) * (i + 1L)) >>> 32);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
