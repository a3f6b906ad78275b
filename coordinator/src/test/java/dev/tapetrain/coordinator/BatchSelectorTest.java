package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSelectorTest {

  @Test
  void batchesAreReproducibleDifferPerStepAndHoldAboutTheFraction() {
    BatchSelector a = new BatchSelector(0.25, 42, 1000);
    BatchSelector b = new BatchSelector(0.25, 42, 1000);
    long total = 0;
    for (long k = 0; k < 200; k++) {
      List<Integer> batch = a.batch(k);
      assertEquals(batch, b.batch(k));
      total += batch.size();
      for (int i = 1; i < batch.size(); i++) {
        assertTrue(batch.get(i - 1) < batch.get(i), "ascending");
      }
    }
    assertNotEquals(a.batch(0), a.batch(1));
    assertNotEquals(a.batch(0), new BatchSelector(0.25, 43, 1000).batch(0));
    // 200 steps × 1000 chunks × 0.25: mean 50 000, standard deviation ≈ 194; allow 5σ.
    assertEquals(50_000, total, 1_000);
  }

  @Test
  void aTinyFractionStillTrainsOnOneChunkAndFullBatchUsesAll() {
    assertEquals(1, new BatchSelector(1e-9, 1, 16).batch(3).size());
    BatchSelector full = new BatchSelector(1, 1, 16);
    assertTrue(full.fullBatch());
    assertEquals(16, full.batch(0).size());
    assertFalse(new BatchSelector(0.5, 1, 16).fullBatch());
  }
}
