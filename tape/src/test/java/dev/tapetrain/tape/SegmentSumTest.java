package dev.tapetrain.tape;

import static dev.tapetrain.tape.GradientCheck.assertClose;
import static dev.tapetrain.tape.GradientCheck.numeric;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentSumTest {

  @Test
  void eachSegmentSumIsBitIdenticalToSummingThatSegmentAlone() {
    Random rnd = new Random(5);
    int[] lengths = {7, 64, 1, 0, 13, 37};
    double[] a = rnd.doubles(Arrays.stream(lengths).sum(), -1e3, 1e3).toArray();
    Tensor sums = Ops.segmentSum(Tensor.vector(a), lengths);
    int start = 0;
    for (int s = 0; s < lengths.length; s++) {
      double alone = Ops.sum(Tensor.vector(Arrays.copyOfRange(a, start, start + lengths[s])))
          .item();
      assertEquals(Double.doubleToRawLongBits(alone), Double.doubleToRawLongBits(sums.get(s)),
          "segment " + s);
      start += lengths[s];
    }
  }

  @Test
  void segmentSumAndRepeatGradientsMatchFiniteDifferences() {
    Random rnd = new Random(6);
    int[] lengths = {3, 1, 4};
    double[] a = rnd.doubles(8, -2, 2).toArray();
    double[] r = rnd.doubles(3, -2, 2).toArray();
    Tensor weights8 = Tensor.vector(rnd.doubles(8, -1, 1).toArray());
    Tensor weights3 = Tensor.vector(rnd.doubles(3, -1, 1).toArray());
    Tensor at = Tensor.vector(a);
    Tensor rt = Tensor.vector(r);
    try (GradientTape tape = new GradientTape(true)) {
      tape.watch(at, rt);
      Tensor ga = tape.gradient(Ops.sum(Ops.mul(Ops.square(Ops.segmentSum(at, lengths)),
          weights3)), at);
      Tensor gr = tape.gradient(Ops.sum(Ops.mul(Ops.square(Ops.repeat(rt, lengths)), weights8)),
          rt);
      assertClose(numeric(v -> Ops.sum(Ops.mul(Ops.square(Ops.segmentSum(Tensor.vector(v),
          lengths)), weights3)).item(), a), ga, "segmentSum");
      assertClose(numeric(v -> Ops.sum(Ops.mul(Ops.square(Ops.repeat(Tensor.vector(v), lengths)),
          weights8)).item(), r), gr, "repeat");
    }
  }
}
