package dev.tapetrain.data;

/**
 * Consecutive chunks of a dataset held in one set of arrays, column-major: {@code x[f][i]} is
 * feature {@code f} of the segment's sample {@code i}, {@code y[i]} its target. A worker keeps its
 * samples only here, once: evaluation reads ranges of these arrays in place, so a shard costs
 * {@code 8 × (features + 1)} bytes per sample and no more. The arrays may be longer than the
 * segment's samples and the first chunk need not start at 0: a segment can be a view of a whole
 * file's arrays ({@link ScanHandoff#views}); read its chunks by {@link #start} and
 * {@link #length}, its count by {@link #samples}.
 *
 * @param firstChunk the dataset index of the first chunk
 * @param starts     {@code starts[k]}: where chunk {@code firstChunk + k} starts in the arrays;
 *                   one more entry than chunks, the last being the sample count
 * @param x          one array per feature
 * @param y          the targets
 */
public record Segment(int firstChunk, int[] starts, double[][] x, double[] y) {

  /** The number of chunks. */
  public int chunks() {
    return starts.length - 1;
  }

  /** The number of samples: from the first chunk's start to the end of the last. */
  public int samples() {
    return starts[starts.length - 1] - starts[0];
  }

  /** Whether dataset chunk {@code chunk} is in this segment. */
  public boolean holds(int chunk) {
    return chunk >= firstChunk && chunk < firstChunk + chunks();
  }

  /** Where dataset chunk {@code chunk} starts in the arrays. */
  public int start(int chunk) {
    return starts[chunk - firstChunk];
  }

  /** The number of samples of dataset chunk {@code chunk}. */
  public int length(int chunk) {
    return starts[chunk - firstChunk + 1] - starts[chunk - firstChunk];
  }
}
