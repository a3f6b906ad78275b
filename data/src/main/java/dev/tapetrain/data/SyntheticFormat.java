package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.Setting.Range;
import dev.tapetrain.spi.Settings;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code synthetic}: the tutorial's generated data, {@code x ~ N(0,1)} per feature and
 * {@code s = trueW·x + trueB + noise·N(0,1)} (see {@link SampleGenerator}): the target is
 * {@code s} for a regression, else its class. Sample {@code i} depends on {@code (seed, i)}
 * only, so any worker generates any chunk.
 */
public final class SyntheticFormat implements InputFormat {

  /** {@code --examples}. */
  public static final Setting EXAMPLES = Setting.integer("examples", 1000, Range.atLeast(1),
      "Synthetic data: number of samples");
  /** {@code --true-w}. */
  public static final Setting TRUE_W = Setting.numbers("true-w", List.of(3.0), Range.ANY,
      "Synthetic data: true W; comma-separated for several features");
  /** {@code --true-b}. */
  public static final Setting TRUE_B = Setting.number("true-b", 2, Range.ANY,
      "Synthetic data: true B");
  /** {@code --noise}. */
  public static final Setting NOISE = Setting.number("noise", 1.0, Range.atLeast(0),
      "Synthetic data: standard deviation of the noise");

  /** Classes of synthetic labels for a classifier whose class count nothing else gives. */
  public static final int DEFAULT_CLASSES = 3;

  @Override
  public String name() {
    return DatasetSpec.SYNTHETIC;
  }

  @Override
  public String description() {
    return "the tutorial's generated data (y = W·x + B + noise), the default without --data";
  }

  @Override
  public List<Setting> settings() {
    return List.of(EXAMPLES, TRUE_W, TRUE_B, NOISE);
  }

  @Override
  public boolean reads(Path path) {
    return false;
  }

  @Override
  public Scanned scan(Request request) {
    Settings s = request.settings();
    int classes = request.classes() != null ? request.classes() : DEFAULT_CLASSES;
    DatasetSpec.Source source = DatasetSpec.Source.synthetic(s.longInteger(EXAMPLES.name()),
        s.numbers(TRUE_W.name()), s.number(TRUE_B.name()), s.number(NOISE.name()),
        request.seed(), classes);
    return new Scanned(source, classes == 0 ? Double.NaN : classes - 1);
  }

  @Override
  public String load(DatasetSpec dataset, List<Segment> segments) {
    SampleGenerator.Params p = SampleGenerator.Params.of(dataset.source());
    for (Segment seg : segments) {
      for (int k = 0; k < seg.chunks(); k++) {
        int c = seg.firstChunk() + k;
        SampleGenerator.generateInto(p, dataset.chunkStart(c), dataset.chunkLength(c), seg.x(),
            seg.y(), seg.starts()[k]);
      }
    }
    return dataset.digest();
  }
}
