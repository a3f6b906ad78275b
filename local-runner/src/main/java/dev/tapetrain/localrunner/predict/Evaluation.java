package dev.tapetrain.localrunner.predict;

import java.io.PrintStream;

/** Loss and confusion counts over the rows that had a target. */
final class Evaluation {
  boolean hasTargets;
  long rows;
  double lossSum;
  final long[][] confusion;

  Evaluation(int classes) {
    confusion = new long[classes][classes];
  }

  /** Prints the loss, with {@code lossNote} inside its parentheses, and the class counts. */
  void print(PrintStream p, String model, String lossNote) {
    p.println("loss " + lossSum / rows + " (mean over the rows of the loss " + model
        + " trains on" + lossNote + ")");
    int k = confusion.length;
    if (k == 0) {
      return;
    }
    long correct = 0;
    for (int i = 0; i < k; i++) {
      correct += confusion[i][i];
    }
    p.println("accuracy " + (double) correct / rows + " (" + correct + " of " + rows + ")");
    p.println("confusion matrix (rows: true class, columns: predicted class)");
    int width = Math.max(6, Long.toString(rows).length() + 2);
    StringBuilder h = new StringBuilder(String.format("%" + width + "s", "true\\pred"));
    for (int j = 0; j < k; j++) {
      h.append(String.format("%" + width + "d", j));
    }
    p.println(h);
    for (int i = 0; i < k; i++) {
      StringBuilder r = new StringBuilder(String.format("%" + width + "d", i));
      for (int j = 0; j < k; j++) {
        r.append(String.format("%" + width + "d", confusion[i][j]));
      }
      p.println(r);
    }
  }
}
