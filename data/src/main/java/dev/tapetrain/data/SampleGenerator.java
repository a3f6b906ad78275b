package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.Hashing;
import java.util.List;

/**
 * The tutorial's synthetic data, reproducible anywhere: {@code x_f ~ N(0,1)},
 * {@code y = Σ trueW_f·x_f + trueB + noise·N(0,1)}.
 *
 * <p>Sample {@code i} is drawn from its own SplitMix64 stream seeded by {@code (seed, i)}, so the
 * data do not depend on the chunk size or on which worker generates a chunk. Normal deviates come
 * from the Box–Muller transform with {@link StrictMath}, so every JVM on every machine produces
 * the same bits.
 */
public final class SampleGenerator {

  private static final long GOLDEN = Hashing.GOLDEN;

  private SampleGenerator() {}

  /**
   * The numbers the data follow from, read from a {@code synthetic} source's settings.
   *
   * @param trueW   the true weights, one per feature
   * @param trueB   the true bias
   * @param noise   the noise's standard deviation
   * @param seed    the seed of every sample's stream
   * @param classes 0 for regression targets, else the number of classes of the labels
   */
  public record Params(List<Double> trueW, double trueB, double noise, long seed, int classes) {

    /** Copies the weights. */
    public Params {
      trueW = List.copyOf(trueW);
    }

    /** The parameters of a source made by {@link DatasetSpec.Source#synthetic}. */
    public static Params of(DatasetSpec.Source source) {
      List<Double> w = new java.util.ArrayList<>();
      for (String v : source.setting("true-w").split(",")) {
        w.add(Double.parseDouble(v));
      }
      return new Params(w, Double.parseDouble(source.setting("true-b")),
          Double.parseDouble(source.setting("noise")), Long.parseLong(source.setting("seed")),
          Integer.parseInt(source.setting("classes")));
    }

    int features() {
      return trueW.size();
    }
  }

  /** Generates the samples {@code [start, start + length)} of {@code data} as chunk {@code index}. */
  public static Chunk generate(Params data, int index, long start, int length) {
    double[][] x = new double[data.features()][length];
    double[] y = new double[length];
    generateInto(data, start, length, x, y, 0);
    return new Chunk(index, x, y);
  }

  /**
   * Writes the samples {@code [start, start + length)} of {@code data} into {@code x[f][at …]}
   * and {@code y[at …]}.
   */
  public static void generateInto(Params data, long start, int length,
      double[][] x, double[] y, int at) {
    int features = data.features();
    double[] trueW = new double[features];
    for (int f = 0; f < features; f++) {
      trueW[f] = data.trueW().get(f);
    }
    double[] normals = new double[features + 1 + ((features + 1) & 1)];
    for (int i = 0; i < length; i++) {
      long state = mix(data.seed() ^ mix((start + i) * GOLDEN + GOLDEN));
      for (int k = 0; k < normals.length; k += 2) {
        state += GOLDEN;
        double u1 = ((mix(state) >>> 11) + 1) * 0x1.0p-53; // (0, 1]: log is finite
        state += GOLDEN;
        double u2 = (mix(state) >>> 11) * 0x1.0p-53;
        double r = Math.sqrt(-2.0 * StrictMath.log(u1));
        double theta = 2.0 * Math.PI * u2;
        normals[k] = r * StrictMath.cos(theta);
        normals[k + 1] = r * StrictMath.sin(theta);
      }
      double target = 0;
      for (int f = 0; f < features; f++) {
        x[f][at + i] = normals[f];
        target += trueW[f] * normals[f];
      }
      y[at + i] = label(target + data.trueB() + data.noise() * normals[features],
          data.classes());
    }
  }

  /** The target of score {@code s}: itself for regression, its class for a classifier. */
  static double label(double s, int classes) {
    if (classes == 0) {
      return s;
    }
    if (classes == 2) {
      return s > 0 ? 1 : 0;
    }
    double p = 1 / (1 + StrictMath.exp(-s));
    return Math.min(classes - 1, (int) Math.floor(classes * p));
  }

  private static long mix(long z) {
    return Hashing.mix64(z);
  }
}
