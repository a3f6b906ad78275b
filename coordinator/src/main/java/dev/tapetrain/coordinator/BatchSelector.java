package dev.tapetrain.coordinator;

import dev.tapetrain.protocol.Hashing;
import java.util.ArrayList;
import java.util.List;

/**
 * The chunks each step trains on when {@code --batch-fraction} is below 1: chunk {@code c} is in
 * the batch of evaluation {@code k} when a hash of {@code (seed, k, c)} falls below the fraction
 * (and, if none does, the one with the smallest hash). The choice depends on nothing else, so a
 * mini-batch run is reproducible and the same for any number of workers.
 */
public final class BatchSelector {

  private final double fraction;
  private final long seed;
  private final int chunks;

  /** A selector of {@code fraction} of {@code chunks} chunks. */
  public BatchSelector(double fraction, long seed, int chunks) {
    this.fraction = fraction;
    this.seed = seed;
    this.chunks = chunks;
  }

  // The full batch, the same every step (immutable), made once.
  private List<Integer> all;

  /** Whether every chunk is always used. */
  public boolean fullBatch() {
    return fraction >= 1;
  }

  /** The chunks of evaluation {@code k}, ascending. */
  public List<Integer> batch(long k) {
    if (fullBatch()) {
      if (all == null) {
        List<Integer> every = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
          every.add(c);
        }
        all = List.copyOf(every);
      }
      return all;
    }
    List<Integer> out = new ArrayList<>();
    long stepKey = Hashing.mix64(seed ^ Hashing.mix64(k + Hashing.GOLDEN));
    int smallest = 0;
    double smallestU = 2;
    for (int c = 0; c < chunks; c++) {
      double u = (Hashing.mix64(stepKey + c * Hashing.GOLDEN) >>> 11) * 0x1.0p-53;
      if (u < fraction) {
        out.add(c);
      }
      if (u < smallestU) {
        smallestU = u;
        smallest = c;
      }
    }
    if (out.isEmpty()) {
      out.add(smallest);
    }
    return out;
  }
}
