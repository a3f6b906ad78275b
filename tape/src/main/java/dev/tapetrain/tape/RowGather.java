package dev.tapetrain.tape;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The row loop's reads of the sample inputs ({@link RowLoopGenerator}): at the start of each
 * sample, a vector input's element, or a wide input's row from its block buffer; per block of
 * samples, the copy of the wide inputs' columns into those buffers. Only inputs the per-sample
 * code names are read so (an input only a {@link BlockProducts} product or a weight gradient
 * reads is read in place, in its columns). Copies only: they change no bit.
 */
final class RowGather {

  /** Samples a block holds. */
  private final int block;
  /** The sample inputs: input, first column, width (0 for a vector input). */
  private final List<int[]> inputs = new ArrayList<>();
  /** The wide inputs the per-sample code reads, gathered a block at a time: the same. */
  private final List<int[]> wide = new ArrayList<>();
  /** The reads at the start of {@code sample(j)}, indented as the loop's body. */
  private final StringBuilder reads = new StringBuilder();

  RowGather(int block) {
    this.block = block;
  }

  /** Adds sample input {@code input}, whose columns start at {@code column}; width 0: a vector. */
  void input(int input, int column, int width) {
    inputs.add(new int[] {input, column, width});
  }

  /**
   * Decides the reads of the inputs {@code perSample} (the per-sample code) names, in input
   * order, and declares a wide input's row in {@code fields}. One statement per input, not per
   * column: the per-sample method's size must not grow with the number of features (HotSpot does
   * not compile a method of more than 8000 bytes).
   */
  void plan(CharSequence perSample, StringBuilder fields) {
    inputs.sort(Comparator.comparingInt(in -> in[0]));
    for (int[] in : inputs) {
      String name = "x" + in[0];
      if (!Pattern.compile("\\b" + name + "\\b").matcher(perSample).find()) {
        continue;
      }
      if (in[2] == 0) {
        reads.append("        final double ").append(name).append(" = v[").append(in[1])
            .append("][j];\n");
        continue;
      }
      fields.append("    final double[] ").append(name).append(" = new double[").append(in[2])
          .append("];\n");
      wide.add(in);
      reads.append("        for (int c = 0; c < ").append(in[2]).append("; c++) ").append(name)
          .append("[c] = ").append(name).append("_b[(j - gFrom) * ").append(in[2])
          .append(" + c];\n");
    }
  }

  /** Whether wide inputs are gathered a block at a time (after {@link #plan}). */
  boolean blocked() {
    return !wide.isEmpty();
  }

  /** The reads at the start of {@code sample(j)} (after {@link #plan}). */
  CharSequence reads() {
    return reads;
  }

  /** The frame's block buffers of the wide inputs, a block of rows each. */
  String buffers() {
    StringBuilder fields = new StringBuilder();
    for (int[] in : wide) {
      fields.append("    final double[] x").append(in[0]).append("_b = new double[")
          .append(block * in[2]).append("];\n");
    }
    return fields.toString();
  }

  /**
   * The part of {@code gather(from, to)} that copies the wide inputs of samples {@code from} to
   * {@code to - 1} row after row into their buffers, one column at a time. Where a sample read
   * one element of each of {@code w} columns, a memory stream each, the block reads each
   * column's elements one after the other (a 50-column softmax spent 28 % of its pass in the
   * gather).
   */
  String copies() {
    StringBuilder m = new StringBuilder();
    for (int[] in : wide) {
      m.append("      for (int c = 0; c < ").append(in[2]).append("; c++) {\n")
          .append("        final double[] col = v[").append(in[1]).append(" + c];\n")
          .append("        for (int j = from, o = c; j < to; j++, o += ").append(in[2])
          .append(") x").append(in[0]).append("_b[o] = col[j];\n")
          .append("      }\n");
    }
    return m.toString();
  }
}
