package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The digest's text in steps.jsonl: what {@code String.format("%016x")} writes, faster. */
class StepRecordTest {

  @Test
  void hexIsSixteenLowerCaseDigitsAsFormatWritesThem() {
    SplittableRandom random = new SplittableRandom(3);
    long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xfL, 0x10L, 0xabcdefL};
    for (long v : edges) {
      assertEquals(String.format("%016x", v), StepRecord.hex(v));
    }
    for (int i = 0; i < 100_000; i++) {
      long v = random.nextLong() >>> random.nextInt(64);
      assertEquals(String.format("%016x", v), StepRecord.hex(v));
    }
  }
}
