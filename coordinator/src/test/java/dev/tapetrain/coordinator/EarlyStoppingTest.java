package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.spec.EarlyStop;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keras' early-stopping rule over epoch lines, and its state across a checkpoint. */
class EarlyStoppingTest {

  private static TrainingEvent.EpochEnded epoch(long e, double loss, double valLoss,
      double valAccuracy) {
    return new TrainingEvent.EpochEnded(e, 100, e * 10, loss, List.of(0.5), valLoss,
        List.of(valAccuracy));
  }

  /** The epoch (from 1) at which the rule stops over {@code values}, or 0. */
  private static long stopsAt(EarlyStop rule, double[] values, boolean accuracy) {
    EarlyStopping s = new EarlyStopping(rule, List.of());
    for (int e = 0; e < values.length; e++) {
      Optional<String> stop = s.onEpoch(epoch(e + 1, 1, accuracy ? 1 : values[e],
          accuracy ? values[e] : 0), List.of("accuracy"));
      if (stop.isPresent()) {
        return e + 1;
      }
    }
    return 0;
  }

  @Test
  void stopsAfterPatienceEpochsWithoutAnImprovementLargerThanMinDelta() {
    double[] val = {1.0, 0.8, 0.79, 0.7, 0.71, 0.695, 0.72};
    // min-delta 0.05: 0.79 is no improvement on 0.8, 0.7 is (after one flat epoch), then 0.71
    // and 0.695 are not: patience 2 stops at epoch 6.
    assertEquals(6, stopsAt(new EarlyStop(2, 0.05, "val_loss", false), val, false));
    assertEquals(0, stopsAt(new EarlyStop(2, 0.0, "val_loss", false), val, false));
    assertEquals(3, stopsAt(new EarlyStop(1, 0.05, "val_loss", false), val, false));
    // An accuracy improves upwards.
    double[] acc = {0.5, 0.6, 0.6, 0.6, 0.7};
    assertEquals(4, stopsAt(new EarlyStop(2, 0.0, "val_accuracy", false), acc, true));
  }

  @Test
  void theStopMessagePrintsTheBestAsTheConsolePrintsLosses() {
    // s15 user finding 8: "best 0.288309475398817" where every other console number has 3 places.
    EarlyStopping s = new EarlyStopping(new EarlyStop(1, 0.0, "val_loss", false), List.of());
    s.onEpoch(epoch(1, 1, 0.288309475398817, 0), List.of("accuracy"));
    assertEquals(Optional.of("val_loss did not improve by more than --min-delta 0.0 for 1 "
        + "epoch(s); best 0.288 at epoch 1"),
        s.onEpoch(epoch(2, 1, 0.3, 0), List.of("accuracy")));
  }

  @Test
  void aRuleRebuiltFromItsCheckpointedStateDecidesAsTheUninterruptedOne() {
    EarlyStop rule = new EarlyStop(3, 0.01, "val_loss", false);
    double[] val = {1.0, 0.9, 0.95, 0.93, 0.91, 0.92};
    for (int cut = 0; cut < val.length; cut++) {
      EarlyStopping whole = new EarlyStopping(rule, List.of());
      EarlyStopping first = new EarlyStopping(rule, List.of());
      List<Optional<String>> a = new ArrayList<>();
      List<Optional<String>> b = new ArrayList<>();
      EarlyStopping current = first;
      for (int e = 0; e < val.length; e++) {
        if (e == cut) {
          current = new EarlyStopping(rule, current.values());
        }
        a.add(whole.onEpoch(epoch(e + 1, 1, val[e], 0), List.of("accuracy")));
        b.add(current.onEpoch(epoch(e + 1, 1, val[e], 0), List.of("accuracy")));
      }
      assertEquals(a, b, "resumed before epoch " + (cut + 1));
    }
    assertTrue(new EarlyStopping(EarlyStop.NONE, List.of()).values().isEmpty());
  }
}
