package dev.tapetrain.tape;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A region whose intermediate tensors share recycled memory, like DJL's {@code NDManager}:
 * <pre>{@code
 * try (TensorScope scope = TensorScope.open()) {
 *   … ops and tapes …
 *   double result = someTensor.item();   // copy out what you need
 * }                                      // every tensor made inside is now invalid
 * }</pre>
 * Ops run inside a scope take their result arrays from a per-thread pool, and closing the scope
 * returns every array handed out since it opened. Repeating the same computation (a training
 * step) then allocates nothing. A tensor created inside a scope must not be used after the scope
 * closes; tensors made by the public factories ({@link Tensor#vector} and friends) are never
 * pooled. Scopes nest; each belongs to the thread that opened it.
 */
public final class TensorScope implements AutoCloseable {

  /** Arrays shorter than this are allocated normally: the JVM does that faster than a pool. */
  static final int MIN_POOLED = 256;

  private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();
  private static final ThreadLocal<Map<Integer, ArrayDeque<double[]>>> POOL =
      ThreadLocal.withInitial(HashMap::new);

  private final TensorScope parent;
  private final List<double[]> handedOut = new ArrayList<>();
  private boolean open = true;

  private TensorScope(TensorScope parent) {
    this.parent = parent;
  }

  /** Opens a scope on this thread. */
  public static TensorScope open() {
    TensorScope scope = new TensorScope(CURRENT.get());
    CURRENT.set(scope);
    return scope;
  }

  /** An array of length {@code n} whose contents are undefined: the caller writes every element. */
  static double[] take(int n) {
    TensorScope scope = CURRENT.get();
    if (scope == null || n < MIN_POOLED) {
      return new double[n];
    }
    ArrayDeque<double[]> free = POOL.get().get(n);
    double[] a = free == null || free.isEmpty() ? new double[n] : free.pop();
    scope.handedOut.add(a);
    return a;
  }

  /** An array of length {@code n} filled with zeros. */
  static double[] takeZeroed(int n) {
    double[] a = take(n);
    java.util.Arrays.fill(a, 0.0);
    return a;
  }

  /** Returns every array handed out in this scope to the pool; its tensors become invalid. */
  @Override
  public void close() {
    if (!open) {
      return;
    }
    open = false;
    if (CURRENT.get() == this) {
      CURRENT.set(parent);
    }
    Map<Integer, ArrayDeque<double[]>> pool = POOL.get();
    for (double[] a : handedOut) {
      pool.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }
    handedOut.clear();
  }
}
