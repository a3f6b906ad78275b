package dev.tapetrain.models;

import dev.tapetrain.tape.Comparisons;
import dev.tapetrain.tape.MatrixOps;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;

/**
 * The losses and metrics the built-in models share, composed of tape ops (TensorFlow's
 * definitions): squared error, binary cross-entropy from logits, softmax cross-entropy from
 * logits with integer labels, and counts of correct predictions.
 */
public final class Losses {

  private Losses() {}

  /** {@code Σ (prediction − y)²}. */
  public static Tensor squaredErrorSum(Tensor prediction, Tensor y) {
    return Ops.sum(Ops.squaredDifference(prediction, y));
  }

  /**
   * {@code Σ max(z, 0) − z·y + log(1 + exp(−|z|))}: binary cross-entropy from logits, as
   * {@code tf.nn.sigmoid_cross_entropy_with_logits}; finite for any finite logit. As in
   * TensorFlow, both {@code max(z, 0)} and {@code −|z|} take the branch of {@code z ≥ 0} by one
   * mask, so the gradient is {@code σ(z) − y} also at {@code z = 0} (where independent
   * subgradients of relu and abs would give {@code −y}: every logit is 0 at zero weights).
   */
  public static Tensor binaryCrossEntropySum(Tensor logits, Tensor y) {
    // Comparisons, not Java functions of each element (Ops.constant), so the loop compiles.
    Tensor nonNegative = Comparisons.greaterEqual(logits, Tensor.scalar(0.0));
    // −|z| = sign · z, sign = 1 − 2 · [z ≥ 0]: exactly −1 or 1
    Tensor sign = Ops.sub(Tensor.scalar(1.0), Ops.mul(Tensor.scalar(2.0), nonNegative));
    Tensor perSample = Ops.add(Ops.sub(Ops.mul(logits, nonNegative), Ops.mul(logits, y)),
        Ops.log1p(Ops.exp(Ops.mul(logits, sign))));
    return Ops.sum(perSample);
  }

  /**
   * {@code Σ logSumExp(z_i) − z_{i, y_i}}: softmax cross-entropy from {@code [n, K]} logits with
   * integer labels, as {@code tf.nn.sparse_softmax_cross_entropy_with_logits}; log-sum-exp
   * stable.
   */
  public static Tensor softmaxCrossEntropySum(Tensor logits, Tensor labels) {
    int k = logits.shape()[1];
    Tensor picked = MatrixOps.rowSum(Ops.mul(logits, oneHot(labels, k)));
    return Ops.sum(Ops.sub(MatrixOps.logSumExp(logits), picked));
  }

  /**
   * {@code [n, K]} with 1 at each sample's label and 0 elsewhere (a constant, traced as
   * {@code oneHot} so the tape compiler makes it per sample).
   */
  public static Tensor oneHot(Tensor labels, int k) {
    for (int i = 0; i < labels.size(); i++) {
      label(labels.get(i), k); // this class's message for a bad label
    }
    return MatrixOps.oneHot(labels, k);
  }

  /**
   * How many rows of {@code [n, K]} scores have their largest (first, on ties) at the label,
   * written with the tape's ops so the compiled loop counts them ({@link #correctArgmax}'s
   * count, bit for bit).
   */
  public static Tensor countArgmaxCorrect(Tensor scores, Tensor labels) {
    return Ops.sum(Comparisons.equal(MatrixOps.rowArgmax(scores), labels));
  }

  /**
   * How many logits are on the label's side of 0 (class 1 where {@code z > 0}), written with the
   * tape's ops so the compiled loop counts them ({@link #correctBinary}'s count, bit for bit).
   */
  public static Tensor countBinaryCorrect(Tensor logits, Tensor labels) {
    return Ops.sum(Comparisons.equal(Comparisons.greater(logits, Tensor.scalar(0.0)),
        Comparisons.equal(labels, Tensor.scalar(1.0))));
  }

  /** How many rows of {@code [n, K]} scores have their largest (first, on ties) at the label. */
  public static double correctArgmax(Tensor scores, Tensor labels) {
    int[] s = scores.shape();
    int n = s[0];
    int k = s[1];
    double correct = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (scores.get(i * k + j) > scores.get(i * k + best)) {
          best = j;
        }
      }
      if (best == label(labels.get(i), k)) {
        correct++;
      }
    }
    return correct;
  }

  /** How many logits are on the label's side of 0 (class 1 where {@code z > 0}). */
  public static double correctBinary(Tensor logits, Tensor labels) {
    double correct = 0;
    for (int i = 0; i < logits.size(); i++) {
      if ((logits.get(i) > 0) == (labels.get(i) == 1.0)) {
        correct++;
      }
    }
    return correct;
  }

  /** Null if {@code y} is a class of {@code 0 … k−1}, else what is wrong. */
  public static String checkLabel(double y, int k) {
    if (y == Math.rint(y) && y >= 0 && y < k) {
      return null;
    }
    return "label " + y + " is not a class 0" + (k == 2 ? " or 1" : " … " + (k - 1));
  }

  private static int label(double y, int k) {
    String problem = checkLabel(y, k);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return (int) y;
  }
}
