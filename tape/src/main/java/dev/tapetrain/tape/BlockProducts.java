package dev.tapetrain.tape;

import dev.tapetrain.tape.RowLoopGenerator.Place;
import dev.tapetrain.tape.RowLoopGenerator.Value;
import java.util.Map;

/**
 * The products of a row loop that run a block of samples at a time, across the samples, where
 * HotSpot's C2 compiles them into vector instructions: a sample input times a parameter matrix
 * (a dense layer on the features).
 *
 * <p>Element {@code (i, c)} of {@code x · W} is {@code 0.0 + Σ_t x[i][t] · W[t][c]}, adding in
 * order of {@code t}. Per sample, that is a loop over {@code t} for each {@code c}; for a block
 * of samples it can as well be: for each {@code t} in order, for each {@code c}, for each sample
 * {@code i}: {@code z[c][i] += x[t][i] · W[t][c]}. Each element gets the same multiplications and
 * additions in the same order, so the same bits; the inner loop walks the block's part of the
 * feature's column (the samples are stored column by column) and the block's column of {@code z}
 * in step, a loop C2 vectorises, each lane doing one sample's scalar IEEE operations (no FMA:
 * Java rounds the product and the sum). A sample then reads its row of the product from the
 * block's columns. A 50 × 10 product of 100 000 samples in a stand-alone loop of each shape
 * (AVX-512, JDK 17): a row gathered and multiplied per sample 35 ms, by blocks 8.3 ms.
 *
 * <p>Where C2 vectorises: JDK 17's SuperWord packs a loop's array accesses only when they share
 * one index expression ({@code z[i]} and {@code u[i]}, not {@code z[i]} and {@code x[from + i]}:
 * that form ran scalar, 0.58 against 0.12 ns per element), so the block's columns are copied to
 * 0-based arrays first, and the columns of {@code z} are arrays of their own.
 */
final class BlockProducts {

  /**
   * The fewest features a product is computed by blocks for: per output element and sample the
   * block form adds a store and a load (the product's row read back) and a load and a store of
   * {@code z} every four features to the {@code m} multiply-adds, and pays only when {@code m}
   * is large. Measured (CompiledModelBenchmark, thread CPU, 2026-12-07): softmax 50 → 10 0.72×
   * the pass of per-sample tiles, but the MLP 10–32–1 1.09× (its first layer by blocks), job
   * D's 1–16–1 no gain; so features of 16 or more only.
   */
  static final int MIN_FEATURES = 16;

  /** Samples a block holds. */
  private final int block;
  /** Each sample input (its value as the loop sees it) by its first column in {@code v}. */
  private final Map<Value, Integer> inputColumns;
  /** The frame's fields: the blocks' products, column after column. */
  private final StringBuilder fields = new StringBuilder();
  /** What the frame's {@code gather(from, to)} computes for the block ({@code n} samples). */
  private final StringBuilder code = new StringBuilder();
  /** The sample inputs whose block of columns is copied already. */
  private final java.util.Set<String> copied = new java.util.HashSet<>();

  BlockProducts(int block, Map<Value, Integer> inputColumns) {
    this.block = block;
    this.inputColumns = inputColumns;
  }

  /** The first column in {@code v} of {@code a} if it is a sample input as given, else -1. */
  int column(Value a) {
    Integer column = inputColumns.get(a);
    return column == null ? -1 : column;
  }

  /** The frame's fields the block products live in. */
  String fields() {
    return fields.toString();
  }

  /** The code that computes the block's products, samples {@code from} to {@code to - 1}. */
  String code() {
    return code.toString();
  }

  /**
   * {@code a · w} (+ {@code bias}) for sample input {@code a} of {@code m} columns, {@code k}
   * outputs; {@code weight} gives {@code W[t][c]} from the expressions of {@code t} and
   * {@code c}. The block's columns of {@code a} are copied first (once for all products of
   * {@code a}): C2 (JDK 17) vectorises a loop only when its arrays share one index, and a
   * column's block starts at {@code from} where the product's columns start at 0. Four features
   * go through the block in one pass, {@code z = (((z + u0·w0) + u1·w1) + u2·w2) + u3·w3}: the
   * same operations in the same order as four passes, with a quarter of the loads and stores of
   * {@code z}. The sample's row (after its bias, added per sample as the eager op adds it) goes
   * to {@code body}.
   */
  Value product(String name, Value a, int m, int k,
      java.util.function.BiFunction<String, String, String> weight, Value bias,
      StringBuilder body) {
    String z = name + "_z";
    String x = a.name() + "_c";
    if (copied.add(x)) {
      fields.append("    final double[][] ").append(x).append(" = new double[").append(m)
          .append("][").append(block).append("];\n");
      code.append("      for (int t = 0; t < ").append(m).append("; t++) System.arraycopy(v[")
          .append(column(a)).append(" + t], from, ").append(x).append("[t], 0, n);\n");
    }
    fields.append("    final double[][] ").append(z).append(" = new double[").append(k)
        .append("][").append(block).append("];\n");
    code.append("      { // ").append(name).append(" = ").append(a.name())
        .append(" · W: each element 0.0, then its products in order of t\n")
        .append("        for (int c = 0; c < ").append(k).append("; c++) java.util.Arrays.fill(")
        .append(z).append("[c], 0, n, 0.0);\n")
        .append("        int t = 0;\n");
    pass(GROUP, m, k, x, z, weight);
    pass(1, m, k, x, z, weight);
    code.append("      }\n");
    String element = z + "[c][j - gFrom]";
    if (k == 1) {
      element = z + "[0][j - gFrom]";
      body.append("        final double ").append(name).append(" = ")
          .append(bias == null ? element : ARITHMETIC + ".add(" + element + ", " + bias.at("0")
              + ")").append(";\n");
      return new Value(Place.ROW, 1, name, true, -1);
    }
    body.append("        for (int c = 0; c < ").append(k).append("; c++) ").append(name)
        .append("[c] = ").append(bias == null ? element
            : ARITHMETIC + ".add(" + element + ", " + bias.at("c") + ")").append(";\n");
    return new Value(Place.ROW, k, name, false, -1);
  }

  /** Features a pass over the block adds into the product's columns. */
  private static final int GROUP = 4;

  /** The loop adding {@code group} features a pass, from feature {@code t} on. */
  private void pass(int group, int m, int k, String x, String z,
      java.util.function.BiFunction<String, String, String> weight) {
    String[] t = new String[group];
    for (int e = 0; e < group; e++) {
      t[e] = e == 0 ? "t" : "(t + " + e + ")";
    }
    code.append(group == 1 ? "        for (; t < " + m + "; t++) {\n"
        : "        for (; t + " + group + " <= " + m + "; t += " + group + ") {\n")
        .append("          final double[] ");
    for (int e = 0; e < group; e++) {
      code.append(e > 0 ? ", " : "").append('u').append(e).append(" = ").append(x).append('[')
          .append(e == 0 ? "t" : "t + " + e).append(']');
    }
    code.append(";\n          for (int c = 0; c < ").append(k).append("; c++) {\n")
        .append("            final double ");
    for (int e = 0; e < group; e++) {
      code.append(e > 0 ? ", " : "").append('w').append(e).append(" = ")
          .append(weight.apply(t[e], "c"));
    }
    code.append(";\n            final double[] z = ").append(z).append("[c];\n")
        .append("            for (int i = 0; i < n; i++) z[i] = ");
    StringBuilder sum = new StringBuilder("z[i]");
    for (int e = 0; e < group; e++) {
      sum = new StringBuilder(e > 0 ? "(" : "").append(sum).append(e > 0 ? ")" : "")
          .append(" + u").append(e).append("[i] * w").append(e);
    }
    code.append(sum).append(";\n          }\n        }\n");
  }

  private static final String ARITHMETIC = Arithmetic.class.getName();
}
