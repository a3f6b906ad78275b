package dev.tapetrain.data;

/**
 * The samples of one chunk, column-major: {@code x[f][i]} is feature {@code f} of sample
 * {@code i}, {@code y[i]} its target.
 *
 * @param index the chunk's index in the dataset
 * @param x     one array per feature, each of length {@code size()}
 * @param y     the targets
 */
public record Chunk(int index, double[][] x, double[] y) {

  /** The number of samples. */
  public int size() {
    return y.length;
  }
}
