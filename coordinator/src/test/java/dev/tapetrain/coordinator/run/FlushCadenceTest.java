package dev.tapetrain.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlushCadenceTest {

  @Test
  void dueOnlyOnceTheIntervalHasPassedAndEveryFlushRestartsIt() {
    long[] now = {1_000};
    FlushCadence cadence = new FlushCadence(() -> now[0]);
    assertFalse(cadence.due(), "not due when it starts");
    now[0] += FlushCadence.INTERVAL_NANOS - 1;
    assertFalse(cadence.due());
    now[0] += 1;
    assertTrue(cadence.due());
    assertFalse(cadence.due(), "a due flush restarts the interval");
    now[0] += FlushCadence.INTERVAL_NANOS / 2;
    cadence.flushed();
    now[0] += FlushCadence.INTERVAL_NANOS / 2 + 1;
    assertFalse(cadence.due(), "a flush made for another reason restarts it too");
    now[0] += FlushCadence.INTERVAL_NANOS;
    assertTrue(cadence.due());
  }
}
