package dev.tapetrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tapetrain.protocol.DatasetSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleGeneratorTest {

  private static final SampleGenerator.Params TUTORIAL =
      new SampleGenerator.Params(List.of(3.0), 2.0, 1.0, 42, 0);

  @Test
  void samplesDoNotDependOnHowTheyAreChunked() {
    Chunk whole = SampleGenerator.generate(TUTORIAL, 0, 0, 1000);
    double[] x = new double[1000];
    double[] y = new double[1000];
    int chunk = 37; // deliberately not a divisor
    for (int start = 0; start < 1000; start += chunk) {
      int len = Math.min(chunk, 1000 - start);
      Chunk c = SampleGenerator.generate(TUTORIAL, start / chunk, start, len);
      System.arraycopy(c.x()[0], 0, x, start, len);
      System.arraycopy(c.y(), 0, y, start, len);
    }
    assertArrayEquals(whole.x()[0], x);
    assertArrayEquals(whole.y(), y);
  }

  @Test
  void differentSeedsGiveDifferentData() {
    Chunk a = SampleGenerator.generate(TUTORIAL, 0, 0, 100);
    Chunk b = SampleGenerator.generate(new SampleGenerator.Params(List.of(3.0), 2, 1, 43, 0),
        0, 0, 100);
    assertFalse(Arrays.equals(a.x()[0], b.x()[0]));
  }

  /**
   * x ~ N(0,1) and y − 3x − 2 ~ N(0, σ²) with σ = 0.5: sample moments over 200k draws. The
   * standard error of a mean is 1/√n ≈ 0.0022 and of a variance ≈ √2/√n ≈ 0.0032; the bounds
   * below are about 5 standard errors.
   */
  @Test
  void samplesFollowTheTutorialsDistribution() {
    int n = 200_000;
    SampleGenerator.Params spec = new SampleGenerator.Params(List.of(3.0), 2.0, 0.5, 7, 0);
    Chunk c = SampleGenerator.generate(spec, 0, 0, n);
    double mx = 0;
    double vx = 0;
    double me = 0;
    double ve = 0;
    for (int i = 0; i < n; i++) {
      double x = c.x()[0][i];
      double e = c.y()[i] - 3 * x - 2;
      mx += x;
      vx += x * x;
      me += e;
      ve += e * e;
    }
    mx /= n;
    me /= n;
    vx = vx / n - mx * mx;
    ve = ve / n - me * me;
    assertEquals(0.0, mx, 0.012);
    assertEquals(1.0, vx, 0.016);
    assertEquals(0.0, me, 0.006);
    assertEquals(0.25, ve, 0.004);
  }
}
