package dev.tapetrain.tape;

import java.util.List;

/**
 * Writes the class {@link LoopGenerator} generates from the parts it traced: the one-pass loop
 * (every element and every sum per index, the sums in four lanes as {@link Kernels#sum} adds
 * them), whose source precompiled loops are keyed by, so it is written character for character
 * as it always was.
 */
final class LoopSource {

  /** A full sum of a vector: its name, and the expression of the element it adds. */
  record Sum(String name, String element) {}

  /**
   * A sum added in index order from {@code 0.0}, one element after the other, as
   * {@link Ops#vecmat}'s loop adds (not in {@link Kernels#sum}'s four lanes).
   */
  record OrderedSum(String name, String element) {}

  /**
   * What a loop is made of: the declarations of constants and the scalars computed before the
   * loop, the statements of one element ({@code j} its index), the sums, the statements after
   * the loop and the expressions of the outputs.
   */
  record Parts(int vectorCount, int scalarCount, String constants, String before,
      String element, List<Sum> sums, List<OrderedSum> orderedSums, String after,
      String[] outs) {

    boolean hasSums() {
      return !sums.isEmpty() || !orderedSums.isEmpty();
    }
  }

  private LoopSource() {}

  /** The class with the one-pass loop. */
  static String onePass(Parts p) {
    StringBuilder s = new StringBuilder();
    s.append("public final class ").append(LoopGenerator.CLASS_NAME)
        .append(" implements dev.tapetrain.tape.CompiledFunction.Kernel {\n")
        .append("  public void run(double[][] v, int from, int to, double[] s, double[] out,"
            + " int at) {\n");
    body(s, p);
    s.append("  }\n}\n");
    return s.toString();
  }

  /** The inputs read into locals, the constants and the scalars computed before the loop. */
  static void prologue(StringBuilder s, Parts p) {
    vectors(s, p, "v");
    scalars(s, p);
  }

  /** The vector inputs read into locals named {@code prefix} and their number. */
  static void vectors(StringBuilder s, Parts p, String prefix) {
    for (int k = 0; k < p.vectorCount(); k++) {
      s.append("    final double[] ").append(prefix).append(k).append(" = v[").append(k)
          .append("];\n");
    }
  }

  /** The scalar inputs read into locals, the constants and the scalars computed before the loop. */
  static void scalars(StringBuilder s, Parts p) {
    for (int k = 0; k < p.scalarCount(); k++) {
      s.append("    final double s").append(k).append(" = s[").append(k).append("];\n");
    }
    s.append(p.constants()).append(p.before());
  }

  /** The statements after the loop and the outputs' stores. */
  static void epilogue(StringBuilder s, Parts p) {
    s.append(p.after());
    for (int k = 0; k < p.outs().length; k++) {
      s.append("    out[at + ").append(k).append("] = ").append(p.outs()[k]).append(";\n");
    }
  }

  /** The one-pass body of {@code run}: prologue, loop, epilogue. */
  static void body(StringBuilder s, Parts p) {
    prologue(s, p);
    for (OrderedSum sum : p.orderedSums()) {
      s.append("    double ").append(sum.name()).append(" = 0.0;\n");
    }
    if (p.hasSums()) {
      for (Sum sum : p.sums()) {
        String name = sum.name();
        s.append("    double ").append(name).append("_0 = 0.0, ").append(name).append("_1 = 0.0, ")
            .append(name).append("_2 = 0.0, ").append(name).append("_3 = 0.0;\n");
      }
      s.append("    int i = from;\n    for (; i + 3 < to; i += 4) {\n");
      for (int lane = 0; lane < 4; lane++) {
        s.append("      {\n        final int j = i + ").append(lane).append(";\n")
            .append(p.element());
        for (Sum sum : p.sums()) {
          s.append("        ").append(sum.name()).append('_').append(lane).append(" += ")
              .append(sum.element()).append(";\n");
        }
        for (OrderedSum sum : p.orderedSums()) {
          s.append("        ").append(sum.name()).append(" += ").append(sum.element())
              .append(";\n");
        }
        s.append("      }\n");
      }
      s.append("    }\n");
      combineLanes(s, p);
      s.append("    for (; i < to; i++) {\n        final int j = i;\n").append(p.element());
      addElements(s, p);
      s.append("    }\n");
    }
    epilogue(s, p);
  }

  /** Each four-lane sum's lanes added as {@link Kernels#sum} adds them. */
  static void combineLanes(StringBuilder s, Parts p) {
    for (Sum sum : p.sums()) {
      String name = sum.name();
      s.append("    double ").append(name).append(" = (").append(name).append("_0 + ")
          .append(name).append("_1) + (").append(name).append("_2 + ").append(name)
          .append("_3);\n");
    }
  }

  /** Every sum's element added to the sum itself (the tail after the lanes). */
  static void addElements(StringBuilder s, Parts p) {
    for (Sum sum : p.sums()) {
      s.append("        ").append(sum.name()).append(" += ").append(sum.element()).append(";\n");
    }
    for (OrderedSum sum : p.orderedSums()) {
      s.append("        ").append(sum.name()).append(" += ").append(sum.element())
          .append(";\n");
    }
  }
}
