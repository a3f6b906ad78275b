package dev.tapetrain.tape;

import dev.tapetrain.tape.RowLoopGenerator.Place;
import dev.tapetrain.tape.RowLoopGenerator.Value;
import java.util.Arrays;
import java.util.List;

/**
 * The code of each op {@link RowLoopGenerator} compiles: elementwise ops, sums, broadcasts and
 * the matrix ops (products, totals over samples, row reductions, one-hot), each written into
 * the loop's sections with the eager op's order of operations (see {@link RowLoopGenerator}).
 * An op on values it does not compile gets null.
 */
final class RowOps {

  private final int length;
  /** Declared before the loop: fixed values and every array a row or total lives in. */
  private final StringBuilder fixed;
  /** Per sample, inside the loop. */
  private final StringBuilder body;
  /** After the loop: values computed from totals. */
  private final StringBuilder after;
  /** Four-lane sums of rows of one element: name and element expression. */
  private final List<String[]> laneSums;
  /** The frame's block buffers, written before read: fields never cleared. */
  private final StringBuilder buffers = new StringBuilder();
  /** The frame's {@code flush()}: the block's weight gradients added into their totals. */
  private final StringBuilder flush = new StringBuilder();
  /** Samples a block holds. */
  private final int block;
  /** The products computed a block of samples at a time, and where the sample inputs live. */
  private final BlockProducts blocks;

  RowOps(int length, StringBuilder fixed, StringBuilder body, StringBuilder after,
      List<String[]> laneSums, int block, BlockProducts blocks) {
    this.length = length;
    this.fixed = fixed;
    this.body = body;
    this.after = after;
    this.laneSums = laneSums;
    this.block = block;
    this.blocks = blocks;
  }

  /** The block buffers' field declarations. */
  String buffers() {
    return buffers.toString();
  }

  /** The body of the frame's {@code flush()}, with {@code n} the samples in the block. */
  String flush() {
    return flush.toString();
  }

  /** Whether {@code t} has a first dimension of one per sample (a broadcast's target). */
  private boolean perSample(Tensor t) {
    int[] s = t.shapeRef();
    return (s.length == 1 || s.length == 2) && s[0] == length;
  }

  private static int rowWidth(Tensor t) {
    return t.rank() == 1 ? 1 : t.shapeRef()[1];
  }

  Value sum(String name, Trace.Op op, Value a) {
    if (a.place() == Place.ROW && a.width() == 1) {
      laneSums.add(new String[] {name, a.name()});
      return new Value(Place.TOTAL, 1, name, true, -1);
    }
    if (a.place() != Place.ROW && a.scalar()) {
      // Kernels.sum of one element: ((0 + 0) + (0 + 0)) + a
      StringBuilder to = a.place() == Place.TOTAL ? after : fixed;
      to.append("    final double ").append(name).append(" = 0.0 + ").append(a.name())
          .append(";\n");
      return new Value(a.place(), 1, name, true, -1);
    }
    return null;
  }

  Value broadcast(Trace.Op op, Value a, Tensor out) {
    if (a.place() == Place.FIXED && a.scalar() && perSample(out)) {
      return new Value(Place.ROW, rowWidth(out), a.name(), true, -1);
    }
    return null;
  }

  Value elementwise(String name, Trace.Op op, Value[] in, Tensor out) {
    return map(name, in, out, RowExpressions.of(op, in));
  }

  /**
   * An elementwise result whose element {@code e} is {@code element.apply(e)}: in the loop for
   * rows, before it for fixed values, after it for totals; null for operands that do not mix.
   */
  private Value map(String name, Value[] in, Tensor out,
      java.util.function.Function<String, String> element) {
    boolean row = false;
    boolean total = false;
    int width = 1;
    for (Value v : in) {
      row |= v.place() == Place.ROW;
      total |= v.place() == Place.TOTAL;
      if (v.place() == Place.ROW) {
        width = Math.max(width, v.width());
      } else if (!v.scalar() && v.width() != out.size()) {
        return null;
      }
    }
    if (row && (total || Arrays.stream(in).anyMatch(v -> v.place() != Place.ROW
        && !v.scalar()))) {
      return null; // a row from a sum needs two passes; fixed arrays do not broadcast to rows
    }
    Place place = row ? Place.ROW : total ? Place.TOTAL : Place.FIXED;
    if (!row) {
      width = out.size();
    }
    StringBuilder to = place == Place.ROW ? body : place == Place.TOTAL ? after : fixed;
    String indent = place == Place.ROW ? "        " : "    ";
    if (width == 1) {
      to.append(indent).append("final double ").append(name).append(" = ")
          .append(element.apply("0")).append(";\n");
      return new Value(place, 1, name, true, -1);
    }
    fixed.append("    final double[] ").append(name).append(" = new double[").append(width)
        .append("];\n");
    to.append(indent).append("for (int c = 0; c < ").append(width).append("; c++) ")
        .append(name).append("[c] = ").append(element.apply("c")).append(";\n");
    return new Value(place, width, name, false, -1);
  }

  Value other(String name, Trace.Op op, Value[] in, Tensor out) {
    java.util.function.Function<String, String> element = RowExpressions.of(op, in);
    if (element != null) {
      return map(name, in, out, element);
    }
    return switch (op.name()) {
      case "dense" -> in[0].place() == Place.ROW && in[1].place() == Place.FIXED
          && in[2].place() == Place.FIXED
          ? product(name, in[0], in[1], false, in[2], op.inputs()[1].shapeRef()) : null;
      case "matmul" -> in[0].place() == Place.ROW && in[1].place() == Place.FIXED
          ? product(name, in[0], in[1], false, null, op.inputs()[1].shapeRef()) : null;
      case "matmulTransposedRight" -> in[0].place() == Place.ROW && in[1].place() == Place.FIXED
          ? product(name, in[0], in[1], true, null, op.inputs()[1].shapeRef()) : null;
      case "matvec" -> in[0].place() == Place.ROW && in[1].place() == Place.FIXED
          ? product(name, in[0], in[1], false, null, new int[] {in[1].width(), 1}) : null;
      case "vecmat" -> in[0].place() == Place.ROW && in[0].width() == 1
          && in[1].place() == Place.ROW ? outerTotal(name, in[0], in[1]) : null;
      case "matmulTransposedLeft" -> in[0].place() == Place.ROW && in[1].place() == Place.ROW
          ? outerTotal(name, in[0], in[1]) : null;
      case "colSum" -> in[0].place() == Place.ROW ? columnTotal(name, in[0]) : null;
      case "rowSum" -> in[0].place() == Place.ROW ? rowReduction(name, in[0], "0.0",
          "acc += ") : null;
      case "rowMax" -> in[0].place() == Place.ROW ? rowReduction(name, in[0],
          "Double.NEGATIVE_INFINITY", "acc = Math.max(acc, ") : null;
      case "rowArgmax" -> in[0].place() == Place.ROW ? rowArgmax(name, in[0]) : null;
      case "oneHot" -> in[0].place() == Place.ROW && in[0].width() == 1
          ? oneHot(name, in[0], rowWidth(out)) : null;
      case "repeatColumns" -> in[0].place() == Place.ROW && in[0].width() == 1
          ? new Value(Place.ROW, rowWidth(out), in[0].name(), true, -1) : null;
      default -> null;
    };
  }

  /**
   * A row times a parameter matrix: {@code w [m, k]}, or {@code [k, m]} read transposed; each
   * element {@code 0.0 + Σ_t a[t] · w(t, c)} in order of {@code t}, then its bias if any.
   */
  private Value product(String name, Value a, Value w, boolean transposed, Value bias,
      int[] wShape) {
    int m = transposed ? wShape[1] : wShape[0];
    int k = transposed ? wShape[0] : wShape[1];
    if (a.width() != m || w.scalar()) {
      return null;
    }
    if (blocks.column(a) >= 0 && m >= BlockProducts.MIN_FEATURES) {
      if (k > 1) {
        fixed.append("    final double[] ").append(name).append(" = new double[").append(k)
            .append("];\n");
      }
      return blocks.product(name, a, m, k, (t, c) -> transposed
          ? w.at("(" + c + ") * " + m + " + " + t) : w.at(t + " * " + k + " + " + c), bias, body);
    }
    if (k == 1) {
      // One output column: the sum stays in a local, as MatrixOps' one-column product keeps it.
      String w0 = w.at("t"); // w(t, 0) of [m, 1], or of [1, m] read transposed
      body.append("        double ").append(name).append("_acc = 0.0;\n")
          .append("        for (int t = 0; t < ").append(m).append("; t++) ").append(name)
          .append("_acc += ").append(a.at("t")).append(" * ").append(w0).append(";\n")
          .append("        final double ").append(name).append(" = ")
          .append(bias == null ? name + "_acc"
              : ARITHMETIC + ".add(" + name + "_acc, " + bias.at("0") + ")").append(";\n");
      return new Value(Place.ROW, 1, name, true, -1);
    }
    fixed.append("    final double[] ").append(name).append(" = new double[").append(k)
        .append("];\n");
    // Tiles of `tile` consecutive elements, each element's sum in a local of its own through
    // the loop over t (in registers, where an array element went through memory at every t),
    // then the columns no tile covers one at a time. Each element still starts at 0.0 and adds
    // its products in order of t: the same additions, the same bits.
    int tile = tile(k);
    String c = name + "_c";
    body.append("        int ").append(c).append(" = 0;\n")
        .append("        for (; ").append(c).append(" + ").append(tile).append(" <= ").append(k)
        .append("; ").append(c).append(" += ").append(tile).append(") {\n")
        .append("          double ");
    for (int e = 0; e < tile; e++) {
      body.append(e > 0 ? ", " : "").append("a").append(e).append(" = 0.0");
    }
    body.append(";\n          for (int t = 0; t < ").append(m).append("; t++) {\n")
        .append("            final double xt = ").append(a.at("t")).append(";\n")
        .append("           ");
    for (int e = 0; e < tile; e++) {
      body.append(" a").append(e).append(" += xt * ").append(weight(w, transposed, m, k,
          c + " + " + e)).append(';');
    }
    body.append("\n          }\n          ");
    for (int e = 0; e < tile; e++) {
      body.append(e > 0 ? " " : "").append(name).append('[').append(c).append(" + ").append(e)
          .append("] = a").append(e).append(';');
    }
    body.append("\n        }\n")
        .append("        for (; ").append(c).append(" < ").append(k).append("; ").append(c)
        .append("++) {\n          double a = 0.0;\n")
        .append("          for (int t = 0; t < ").append(m).append("; t++) a += ")
        .append(a.at("t")).append(" * ").append(weight(w, transposed, m, k, c)).append(";\n")
        .append("          ").append(name).append('[').append(c).append("] = a;\n")
        .append("        }\n");
    if (bias != null) {
      body.append("        for (int c = 0; c < ").append(k).append("; c++) ").append(name)
          .append("[c] = ").append(ARITHMETIC).append(".add(").append(name).append("[c], ")
          .append(bias.at("c")).append(");\n");
    }
    return new Value(Place.ROW, k, name, false, -1);
  }

  /**
   * The number of a product's elements summed side by side: the largest divisor of {@code k}
   * from 4 to 10 (no column left over), else 8 with the rest one at a time. Eight to ten
   * chains of additions keep the floating-point adders busy and stay in registers (a softmax's
   * 10 classes: one tile of 10 took 0.94× the time of two of 5).
   */
  static int tile(int k) {
    for (int t = 10; t >= 4; t--) {
      if (k % t == 0) {
        return t;
      }
    }
    return Math.min(k, 8);
  }

  /** Element {@code (t, c)} of {@code w}: {@code [m, k]}, or {@code [k, m]} read transposed. */
  private static String weight(Value w, boolean transposed, int m, int k, String c) {
    return transposed ? w.at("(" + c + ") * " + m + " + t") : w.at("t * " + k + " + " + c);
  }

  /**
   * {@code aᵀ · b} over the samples: element {@code (p, c)} adds {@code a[p] · b[c]} per
   * sample, sample after sample from 0. For {@code b} of two elements or more, a sample keeps
   * its rows of {@code a} and {@code b} in the block's buffers, and {@code flush()} adds the
   * block's samples into each element in order, a tile of elements at a time in locals: each
   * element gets the same additions in the same order, without a load and a store of it per
   * sample.
   */
  private Value outerTotal(String name, Value a, Value b) {
    int m = a.width();
    int k = b.width();
    fixed.append("    final double[] ").append(name).append(" = new double[").append(m * k)
        .append("];\n");
    if (k == 1) {
      body.append("        for (int p = 0; p < ").append(m).append("; p++) {\n")
          .append("          final double ap = ").append(a.at("p")).append(";\n")
          .append("          for (int c = 0; c < ").append(k).append("; c++) ").append(name)
          .append("[p * ").append(k).append(" + c] += ap * ").append(b.at("c")).append(";\n")
          .append("        }\n");
      return new Value(Place.TOTAL, m * k, name, false, -1);
    }
    // A sample input's element p of sample i is read in place, in its column; any other row
    // is kept in a block buffer of its own, row after row.
    int column = blocks.column(a);
    String ab = name + "_ab";
    if (column < 0) {
      buffer(ab, m, a);
    }
    String ap = column >= 0 ? "xp[gFrom + i]" : ab + "[i * " + m + " + p]";
    String xp = column >= 0 ? "        final double[] xp = v[" + column + " + p];\n" : "";
    String bb = name + "_bb";
    buffer(bb, k, b);
    int tile = tile(k);
    flush.append("      for (int p = 0; p < ").append(m).append("; p++) {\n").append(xp)
        .append("        int c = 0;\n")
        .append("        for (; c + ").append(tile).append(" <= ").append(k).append("; c += ")
        .append(tile).append(") {\n")
        .append("          final int o = p * ").append(k).append(" + c;\n          double ");
    for (int e = 0; e < tile; e++) {
      flush.append(e > 0 ? ", " : "").append('a').append(e).append(" = ").append(name)
          .append("[o + ").append(e).append(']');
    }
    flush.append(";\n          for (int i = 0; i < n; i++) {\n")
        .append("            final double ap = ").append(ap)
        .append(";\n            final int q = i * ").append(k).append(" + c;\n           ");
    for (int e = 0; e < tile; e++) {
      flush.append(" a").append(e).append(" += ap * ").append(bb).append("[q + ").append(e)
          .append("];");
    }
    flush.append("\n          }\n          ");
    for (int e = 0; e < tile; e++) {
      flush.append(e > 0 ? " " : "").append(name).append("[o + ").append(e).append("] = a")
          .append(e).append(';');
    }
    flush.append("\n        }\n        for (; c < ").append(k).append("; c++) {\n")
        .append("          double a = ").append(name).append("[p * ").append(k)
        .append(" + c];\n          for (int i = 0; i < n; i++) a += ").append(ap)
        .append(" * ").append(bb).append("[i * ").append(k)
        .append(" + c];\n          ").append(name).append("[p * ").append(k)
        .append(" + c] = a;\n        }\n      }\n");
    return new Value(Place.TOTAL, m * k, name, false, -1);
  }

  /** A block buffer of rows of {@code width}: each sample writes its row of {@code v} there. */
  private void buffer(String name, int width, Value v) {
    buffers.append("    final double[] ").append(name).append(" = new double[")
        .append(block * width).append("];\n");
    body.append("        for (int c = 0; c < ").append(width).append("; c++) ").append(name)
        .append("[(j - gFrom) * ").append(width).append(" + c] = ").append(v.at("c"))
        .append(";\n");
  }

  /** The column sums over the samples, sample after sample from 0. */
  private Value columnTotal(String name, Value a) {
    int k = a.width();
    fixed.append("    final double[] ").append(name).append(" = new double[").append(k)
        .append("];\n");
    body.append("        for (int c = 0; c < ").append(k).append("; c++) ").append(name)
        .append("[c] += ").append(a.at("c")).append(";\n");
    return new Value(Place.TOTAL, k, name, false, -1);
  }

  /** One value per sample from its row's elements in order: a row sum or maximum. */
  private Value rowReduction(String name, Value a, String start, String step) {
    String close = step.contains("(") ? ")" : "";
    body.append("        double ").append(name).append("_acc = ").append(start).append(";\n")
        .append("        for (int c = 0; c < ").append(a.width()).append("; c++) ")
        .append(step.replace("acc", name + "_acc")).append(a.at("c")).append(close)
        .append(";\n        final double ").append(name).append(" = ").append(name)
        .append("_acc;\n");
    return new Value(Place.ROW, 1, name, true, -1);
  }

  /** The first column of a row's largest element, as {@code MatrixOps.rowArgmax} finds it. */
  private Value rowArgmax(String name, Value a) {
    body.append("        int ").append(name).append("_best = 0;\n")
        .append("        for (int c = 1; c < ").append(a.width()).append("; c++) if (")
        .append(a.at("c")).append(" > ").append(a.at(name + "_best")).append(") ")
        .append(name).append("_best = c;\n")
        .append("        final double ").append(name).append(" = ").append(name)
        .append("_best;\n");
    return new Value(Place.ROW, 1, name, true, -1);
  }

  /** A sample's label as a row of {@code k} with 1 at the label, checked as the eager op does. */
  private Value oneHot(String name, Value label, int k) {
    String y = label.name();
    fixed.append("    final double[] ").append(name).append(" = new double[").append(k)
        .append("];\n");
    body.append("        if (!(").append(y).append(" == Math.rint(").append(y).append(") && ")
        .append(y).append(" >= 0 && ").append(y).append(" < ").append(k).append(")) throw new"
            + " IllegalArgumentException(\"label \" + ").append(y)
        .append(" + \" is not a class 0 … ").append(k - 1).append("\");\n")
        .append("        for (int c = 0; c < ").append(k).append("; c++) ").append(name)
        .append("[c] = c == (int) ").append(y).append(" ? 1 : 0;\n");
    return new Value(Place.ROW, k, name, false, -1);
  }

  private static final String ARITHMETIC = RowExpressions.ARITHMETIC;
}
