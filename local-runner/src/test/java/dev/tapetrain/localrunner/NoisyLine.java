package dev.tapetrain.localrunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A small dataset for the training-loop tests: {@code n} samples of y = 3x + 2 + noise, x and the
 * noise drawn from {@code new Random(seed)}, and the same samples as a CSV file ({@code x,y}).
 * The tests' plain loops read the arrays; the runs read the file.
 */
record NoisyLine(double[] x, double[] y) {

  static NoisyLine of(int n, long seed) {
    double[] x = new double[n];
    double[] y = new double[n];
    Random rnd = new Random(seed);
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextGaussian();
      y[i] = 3 * x[i] + 2 + 0.5 * rnd.nextGaussian();
    }
    return new NoisyLine(x, y);
  }

  /** Writes the samples to {@code dir/data.csv}. */
  Path csv(Path dir) throws IOException {
    StringBuilder b = new StringBuilder("x,y\n");
    for (int i = 0; i < x.length; i++) {
      b.append(x[i]).append(',').append(y[i]).append('\n');
    }
    Path p = dir.resolve("data.csv");
    Files.writeString(p, b);
    return p;
  }
}
