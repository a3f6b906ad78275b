package dev.tapetrain.models;

import dev.tapetrain.tape.PrecompiledLoop;

/**
 * The loop the tape compiler generates for the built-in {@code linear} model on one feature
 * ({@link CompiledModel} of {@link BuiltInModels}' linear model: its loss sum and the tape's
 * gradients), compiled with tapetrain instead of by Janino at run time, so a worker runs it from
 * its first step without paying for a compiler. Registered as a {@link PrecompiledLoop} service
 * and picked only for the generated source whose SHA-256 is {@link #SOURCE_SHA256}; the body
 * below is that source's, character for character (checked by {@code PrecompiledLoopsTest},
 * which fails and prints the new source when the model or the generator changes). Not for
 * direct use.
 */
public final class LinearSquaredErrorLoop implements PrecompiledLoop {

  /** SHA-256 of the generated source this class is a copy of. */
  static final String SOURCE_SHA256 =
      "4c31db3cf5aad9720d23b486a4980fbf30d011d560e503439514140efa7298f2";

  /** For {@link java.util.ServiceLoader}. */
  public LinearSquaredErrorLoop() {}

  @Override
  public String sourceSha256() {
    return SOURCE_SHA256;
  }

  // ---- generated: do not edit (copy the source PrecompiledLoopsTest prints) ----
  public void run(double[][] v, int from, int to, double[] s, double[] out, int at) {
    final double[] v0 = v[0];
    final double[] v1 = v[1];
    final double s0 = s[0];
    final double s1 = s[1];
    final double k0 = Double.longBitsToDouble(0x3ff0000000000000L); // 1.0
    double t3_0 = 0.0, t3_1 = 0.0, t3_2 = 0.0, t3_3 = 0.0;
    double t7_0 = 0.0, t7_1 = 0.0, t7_2 = 0.0, t7_3 = 0.0;
    double t8_0 = 0.0, t8_1 = 0.0, t8_2 = 0.0, t8_3 = 0.0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      {
        final int j = i + 0;
        final double t1 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t2 = dev.tapetrain.tape.Arithmetic.squaredDifference(t1, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t1, v1[j]);
        final double t6 = dev.tapetrain.tape.Arithmetic.mul(t5, v0[j]);
        t3_0 += t2;
        t7_0 += t6;
        t8_0 += t5;
      }
      {
        final int j = i + 1;
        final double t1 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t2 = dev.tapetrain.tape.Arithmetic.squaredDifference(t1, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t1, v1[j]);
        final double t6 = dev.tapetrain.tape.Arithmetic.mul(t5, v0[j]);
        t3_1 += t2;
        t7_1 += t6;
        t8_1 += t5;
      }
      {
        final int j = i + 2;
        final double t1 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t2 = dev.tapetrain.tape.Arithmetic.squaredDifference(t1, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t1, v1[j]);
        final double t6 = dev.tapetrain.tape.Arithmetic.mul(t5, v0[j]);
        t3_2 += t2;
        t7_2 += t6;
        t8_2 += t5;
      }
      {
        final int j = i + 3;
        final double t1 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t2 = dev.tapetrain.tape.Arithmetic.squaredDifference(t1, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t1, v1[j]);
        final double t6 = dev.tapetrain.tape.Arithmetic.mul(t5, v0[j]);
        t3_3 += t2;
        t7_3 += t6;
        t8_3 += t5;
      }
    }
    double t3 = (t3_0 + t3_1) + (t3_2 + t3_3);
    double t7 = (t7_0 + t7_1) + (t7_2 + t7_3);
    double t8 = (t8_0 + t8_1) + (t8_2 + t8_3);
    for (; i < to; i++) {
        final int j = i;
        final double t1 = dev.tapetrain.tape.Arithmetic.mulAdd(v0[j], s0, s1);
        final double t2 = dev.tapetrain.tape.Arithmetic.squaredDifference(t1, v1[j]);
        final double t5 = dev.tapetrain.tape.Arithmetic.twiceDifferenceTimes(k0, t1, v1[j]);
        final double t6 = dev.tapetrain.tape.Arithmetic.mul(t5, v0[j]);
        t3 += t2;
        t7 += t6;
        t8 += t5;
    }
    out[at + 0] = t3;
    out[at + 1] = t7;
    out[at + 2] = t8;
  }
}
