package dev.tapetrain.tape;

/**
 * Each thread's scratch arrays for {@link BlockedLoopSource}'s loops: the per-sample values of one
 * block, written by the vectorised first pass and added by the second. Allocated once per thread
 * (and again only for a loop that needs more arrays than any before it), so a step allocates
 * nothing. A loop uses them only within one {@code run} call, which calls no other loop. Public
 * only because generated classes, loaded by a class loader of their own, call it.
 */
public final class LoopScratch {

  /** Samples per block: the arrays of a few sums stay within the first-level cache. */
  public static final int BLOCK = 512;

  private static final ThreadLocal<double[][]> ARRAYS =
      ThreadLocal.withInitial(() -> new double[0][]);

  private LoopScratch() {}

  /** At least {@code count} arrays of {@link #BLOCK} doubles, this thread's own. */
  public static double[][] arrays(int count) {
    double[][] a = ARRAYS.get();
    if (a.length < count) {
      a = new double[count][BLOCK];
      ARRAYS.set(a);
    }
    return a;
  }
}
