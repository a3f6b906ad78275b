package dev.tapetrain.tape;

import dev.tapetrain.tape.LoopSource.OrderedSum;
import dev.tapetrain.tape.LoopSource.Parts;
import dev.tapetrain.tape.LoopSource.Sum;

/**
 * Writes {@link LoopGenerator}'s loop in two passes per block of {@link LoopScratch#BLOCK}
 * samples, for programs whose elements HotSpot's C2 can vectorise once their choices are written
 * as {@link VectorForms}: first every element of the block, with no sum and no branch, the values
 * the sums add stored in {@link LoopScratch} arrays — C2 (JDK 17) vectorises that loop, where it
 * never vectorises one that carries a sum of doubles in a fixed order —, then the sums over the
 * stored values, in exactly the one-pass loop's order (four lanes counted from {@code from}, the
 * ordered sums index by index; blocks are multiples of four, so lanes run on across them), and the
 * last {@code n mod 4} elements with the one-pass code. The inputs are copied into block arrays
 * first: C2 vectorises no loop that loads at another index than it stores (the arrays might be
 * one). The README's Huber model on one feature, its loop alone on 1M samples: 3.3 → 2.2 ms
 * (2026-12-07, AMD EPYC, JDK 17).
 *
 * <p>Where a vector form gives NaN its op's value may differ; the NaN then reaches a sum (every op
 * the first pass runs gives NaN for a NaN input, and every element feeds a sum), so a NaN sum
 * sends the whole range to the one-pass code, kept in the class as {@code exact}: the outputs are
 * the one-pass loop's bits in every case.
 */
final class BlockedLoopSource {

  private BlockedLoopSource() {}

  /** Copies {@code n} samples of each input from index {@code from} to its block array. */
  private static void copies(StringBuilder s, Parts p, String from, String n) {
    for (int k = 0; k < p.vectorCount(); k++) {
      s.append("      System.arraycopy(in").append(k).append(", ").append(from).append(", v")
          .append(k).append(", 0, ").append(n).append(");\n");
    }
  }

  /**
   * The class.
   *
   * @param p             the loop's parts ({@code p.element()} the exact statements of one element)
   * @param vectorElement the same statements with the vectorisable forms
   */
  static String of(Parts p, String vectorElement) {
    int sums = p.sums().size();
    int arrays = sums + p.orderedSums().size();
    StringBuilder s = new StringBuilder();
    s.append("public final class ").append(LoopGenerator.CLASS_NAME)
        .append(" implements dev.tapetrain.tape.CompiledFunction.Kernel {\n")
        .append("  public void run(double[][] v, int from, int to, double[] s, double[] out,"
            + " int at) {\n");
    // The inputs as in0, …; v0, … are copies of one block's samples, at the index the stores use
    // (C2 vectorises no loop that stores at another index than it loads: the arrays may be one).
    LoopSource.vectors(s, p, "in");
    LoopSource.scalars(s, p);
    for (OrderedSum sum : p.orderedSums()) {
      s.append("    double ").append(sum.name()).append(" = 0.0;\n");
    }
    for (Sum sum : p.sums()) {
      String name = sum.name();
      s.append("    double ").append(name).append("_0 = 0.0, ").append(name).append("_1 = 0.0, ")
          .append(name).append("_2 = 0.0, ").append(name).append("_3 = 0.0;\n");
    }
    s.append("    final double[][] scratch = ").append(LoopScratch.class.getName())
        .append(".arrays(").append(arrays + p.vectorCount()).append(");\n");
    for (int k = 0; k < arrays; k++) {
      s.append("    final double[] b").append(k).append(" = scratch[").append(k).append("];\n");
    }
    for (int k = 0; k < p.vectorCount(); k++) {
      s.append("    final double[] v").append(k).append(" = scratch[").append(arrays + k)
          .append("];\n");
    }
    s.append("    final int main = to - ((to - from) & 3);\n")
        .append("    for (int start = from; start < main; ) {\n")
        .append("      final int n = Math.min(").append(LoopScratch.BLOCK)
        .append(", main - start);\n");
    copies(s, p, "start", "n");
    s.append("      for (int j = 0; j < n; j++) {\n").append(vectorElement);
    for (int k = 0; k < arrays; k++) {
      String element = k < sums ? p.sums().get(k).element()
          : p.orderedSums().get(k - sums).element();
      s.append("        b").append(k).append("[j] = ").append(element).append(";\n");
    }
    s.append("      }\n      for (int q = 0; q < n; q += 4) {\n");
    for (int lane = 0; lane < 4; lane++) {
      for (int k = 0; k < arrays; k++) {
        String to = k < sums ? p.sums().get(k).name() + "_" + lane
            : p.orderedSums().get(k - sums).name();
        s.append("        ").append(to).append(" += b").append(k).append("[q + ").append(lane)
            .append("];\n");
      }
    }
    s.append("      }\n      start += n;\n    }\n");
    LoopSource.combineLanes(s, p);
    s.append("    {\n      final int n = to - main;\n");
    copies(s, p, "main", "n");
    s.append("      for (int j = 0; j < n; j++) {\n").append(p.element());
    LoopSource.addElements(s, p);
    s.append("      }\n");
    s.append("    }\n    if (");
    String or = "";
    for (Sum sum : p.sums()) {
      s.append(or).append(sum.name()).append(" != ").append(sum.name());
      or = " | ";
    }
    for (OrderedSum sum : p.orderedSums()) {
      s.append(or).append(sum.name()).append(" != ").append(sum.name());
      or = " | ";
    }
    s.append(") {\n      // a vector form gave NaN, or an element is NaN: the exact code decides\n")
        .append("      exact(v, from, to, s, out, at);\n      return;\n    }\n");
    LoopSource.epilogue(s, p);
    s.append("  }\n\n  private void exact(double[][] v, int from, int to, double[] s,"
        + " double[] out, int at) {\n");
    LoopSource.body(s, p);
    s.append("  }\n}\n");
    return s.toString();
  }
}
