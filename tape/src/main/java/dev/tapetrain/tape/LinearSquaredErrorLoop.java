package dev.tapetrain.tape;

/**
 * The loop {@code LoopGenerator} generates for the tutorial's model (squared error of
 * {@code x·w + b}: the loss sum and its gradients), compiled with the rest of tapetrain instead
 * of by Janino at run time: a worker uses it from its first step without paying for a compiler.
 * Picked by {@link PrecompiledLoops} only for the source whose SHA-256 is {@link #SOURCE_SHA256};
 * the body below is that source's, character for character (checked by
 * {@code PrecompiledLoopsTest}, which fails and prints the new source when the generator
 * changes).
 */
final class LinearSquaredErrorLoop implements CompiledFunction.Kernel {

  /** SHA-256 of the generated source this class is a copy of. */
  static final String SOURCE_SHA256 =
      "5695629e1b03ac19d439e93baa6894a173d7a3c22bdd4446fd886f389b92266f";

  // ---- generated: do not edit (copy the source PrecompiledLoopsTest prints) ----
  public void run(double[][] v, int from, int to, double[] s, double[] out, int at) {
    final double[] v0 = v[0];
    final double[] v1 = v[1];
    final double s0 = s[0];
    final double s1 = s[1];
    final double k0 = Double.longBitsToDouble(0x3ff0000000000000L); // 1.0
    double t2_0 = 0.0, t2_1 = 0.0, t2_2 = 0.0, t2_3 = 0.0;
    double t6_0 = 0.0, t6_1 = 0.0, t6_2 = 0.0, t6_3 = 0.0;
    double t7_0 = 0.0, t7_1 = 0.0, t7_2 = 0.0, t7_3 = 0.0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      {
        final int j = i + 0;
        final double t0 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t1 = dev.tapetrain.tape.Arithmetic.squaredDifference(t0, v1[j]);
        final double t4 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t0, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.mul(t4, v0[j]);
        t2_0 += t1;
        t6_0 += t5;
        t7_0 += t4;
      }
      {
        final int j = i + 1;
        final double t0 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t1 = dev.tapetrain.tape.Arithmetic.squaredDifference(t0, v1[j]);
        final double t4 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t0, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.mul(t4, v0[j]);
        t2_1 += t1;
        t6_1 += t5;
        t7_1 += t4;
      }
      {
        final int j = i + 2;
        final double t0 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t1 = dev.tapetrain.tape.Arithmetic.squaredDifference(t0, v1[j]);
        final double t4 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t0, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.mul(t4, v0[j]);
        t2_2 += t1;
        t6_2 += t5;
        t7_2 += t4;
      }
      {
        final int j = i + 3;
        final double t0 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t1 = dev.tapetrain.tape.Arithmetic.squaredDifference(t0, v1[j]);
        final double t4 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t0, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.mul(t4, v0[j]);
        t2_3 += t1;
        t6_3 += t5;
        t7_3 += t4;
      }
    }
    double t2 = (t2_0 + t2_1) + (t2_2 + t2_3);
    double t6 = (t6_0 + t6_1) + (t6_2 + t6_3);
    double t7 = (t7_0 + t7_1) + (t7_2 + t7_3);
    for (; i < to; i++) {
        final int j = i;
        final double t0 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t1 = dev.tapetrain.tape.Arithmetic.squaredDifference(t0, v1[j]);
        final double t4 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t0, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.mul(t4, v0[j]);
        t2 += t1;
        t6 += t5;
        t7 += t4;
    }
    out[at + 0] = t2;
    out[at + 1] = t6;
    out[at + 2] = t7;
  }
}
