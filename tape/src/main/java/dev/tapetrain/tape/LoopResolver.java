package dev.tapetrain.tape;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the loop of a generated source and accepts it: where a loop comes from, first hit
 * wins, this JVM's loops; a {@link PrecompiledLoop} on the class path; the installed
 * {@link LoopStore} ({@link LoopCache}: class files an earlier JVM compiled); Janino, whose class
 * files then go to the store. A loop is accepted only if it reproduces the eager tape's outputs
 * on the example bit for bit; one from the store that does not (or cannot even run) is a miss,
 * compiled again, never the run's failure. Kept apart from {@link CompiledFunction}, which
 * traces and runs, so the trust in a loop is decided in one place.
 */
final class LoopResolver {

  /** Where a loop came from. */
  enum Origin { PRECOMPILED, LOOP_STORE, RUN_TIME }

  /** A loop and where it came from. */
  record Loop(CompiledFunction.Kernel kernel, Origin origin) {}

  /**
   * Loops compiled in this JVM, by source: workers that share a JVM (local-runner) share one
   * class, so it is compiled once and its call sites see one type. A model has one loop, so
   * this stays tiny.
   */
  private static final Map<String, Loop> KERNELS = new ConcurrentHashMap<>();

  private LoopResolver() {}

  /**
   * The accepted loop of {@code source}, whose eager run on the example gave {@code eager}; null
   * when {@code compileAtRunTime} is false and no loop that needs no compiler now is accepted.
   *
   * @throws NotCompilableException if the loop compiled from the source disagrees with the tape
   */
  static Loop resolve(String source, double[][] exampleVectors, double[] exampleScalars,
      double[] eager, boolean compileAtRunTime) throws NotCompilableException {
    Loop loop = KERNELS.get(source);
    if (loop == null) {
      loop = found(source);
      if (loop == null && !compileAtRunTime) {
        return null;
      }
      Loop before = loop;
      loop = KERNELS.computeIfAbsent(source,
          s -> before != null ? before : new Loop(LoopCache.compile(s), Origin.RUN_TIME));
    }
    String wrong = disagreement(loop, exampleVectors, exampleScalars, eager);
    if (wrong != null && loop.origin() == Origin.LOOP_STORE) {
      // Stored bytes that pass their checksum but not this check (a class file of a changed
      // tape, say): never the run's failure. Compile the source, which stores it again.
      LoopCache.rejected(source, wrong);
      KERNELS.remove(source, loop);
      if (!compileAtRunTime) {
        return null;
      }
      loop = KERNELS.computeIfAbsent(source,
          s -> new Loop(LoopCache.compile(s), Origin.RUN_TIME));
      wrong = disagreement(loop, exampleVectors, exampleScalars, eager);
    }
    if (wrong != null) {
      throw new NotCompilableException(wrong);
    }
    return loop;
  }

  /** The loop of {@code source} that needs no compiler: precompiled, or stored, or null. */
  private static Loop found(String source) {
    CompiledFunction.Kernel precompiled = PrecompiledLoops.find(source);
    if (precompiled != null) {
      return new Loop(precompiled, Origin.PRECOMPILED);
    }
    CompiledFunction.Kernel stored = LoopCache.find(source);
    return stored != null ? new Loop(stored, Origin.LOOP_STORE) : null;
  }

  /**
   * Null if {@code loop} gives {@code eager} on the example (all its elements), bit for bit,
   * else what differs. A loop from the store that cannot even run (a class file that no longer
   * links) differs too.
   */
  private static String disagreement(Loop loop, double[][] exampleVectors,
      double[] exampleScalars, double[] eager) {
    double[] compiled = new double[eager.length];
    try {
      loop.kernel().run(exampleVectors, 0, exampleVectors[0].length, exampleScalars, compiled,
          0);
    } catch (RuntimeException | LinkageError e) {
      if (loop.origin() != Origin.LOOP_STORE) {
        throw e;
      }
      return "the stored loop fails: " + e;
    }
    for (int k = 0; k < eager.length; k++) {
      if (Double.doubleToLongBits(compiled[k]) != Double.doubleToLongBits(eager[k])) {
        return "the compiled loop gives output " + k + " = " + compiled[k]
            + " where the tape gives " + eager[k];
      }
    }
    return null;
  }

  /** Forgets every loop this JVM defined (as a new JVM would start): for tests. */
  static void forget() {
    KERNELS.clear();
  }
}
