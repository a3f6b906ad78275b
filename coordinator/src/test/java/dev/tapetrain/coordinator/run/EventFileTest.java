package dev.tapetrain.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tapetrain.coordinator.run.tensorboard.Event;
import dev.tapetrain.coordinator.run.tensorboard.Summary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A step's TensorBoard event is written with the wire encoder directly; its bytes must be what
 * the generated {@code Event} serializes to, zeros (which proto3 leaves out), step 0, negative
 * zero, non-finite values and non-ASCII tags included.
 */
class EventFileTest {

  @Test
  void scalarEventsHaveTheGeneratedCodesBytes() {
    Random rnd = new Random(15);
    List<String> names = List.of("loss", "accuracy", "param/w", "param_norm/w1", "step_ms", "λ");
    double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e-50, 3e40, -1.5};
    for (int trial = 0; trial < 2000; trial++) {
      long step = trial % 5 == 0 ? 0 : rnd.nextInt(1 << 20) * (trial % 7 == 0 ? 4096L : 1);
      double wallTime = trial % 11 == 0 ? 0.0 : 1.7e9 + rnd.nextDouble();
      int n = rnd.nextInt(names.size() + 1);
      List<byte[]> tags = new ArrayList<>();
      double[] values = new double[n];
      Summary.Builder summary = Summary.newBuilder();
      for (int i = 0; i < n; i++) {
        String tag = names.get(rnd.nextInt(names.size()));
        values[i] = rnd.nextInt(3) == 0 ? special[rnd.nextInt(special.length)]
            : rnd.nextGaussian() * Math.pow(10, rnd.nextInt(10) - 5);
        tags.add(tag.getBytes(StandardCharsets.UTF_8));
        summary.addValue(Summary.Value.newBuilder().setTag(tag)
            .setSimpleValue((float) values[i]));
      }
      byte[] expected = Event.newBuilder().setWallTime(wallTime).setStep(step)
          .setSummary(summary).build().toByteArray();
      assertArrayEquals(expected, EventFile.scalarEvent(step, wallTime, tags, values),
          "trial " + trial);
    }
  }
}
