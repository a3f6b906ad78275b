package dev.tapetrain.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.NamedTensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Step lines are printed in batches; whatever the batching, every line appears once, in order,
 * before a worker event that follows it (stdout and stderr share one stream here, so their order
 * is visible) and before the final lines.
 */
class ConsoleReporterTest {

  private static final List<NamedTensor> PARAMS =
      List.of(NamedTensor.scalar("w", 3.0), NamedTensor.scalar("b", 2.0));

  private static StepRecord step(long i, List<StepRecord.Reassignment> events) {
    return new StepRecord(i, 10.0 - i, PARAMS, PARAMS, 0.01, 1000, List.of(), 0, events, i);
  }

  private static String stepLine(long i) {
    return String.format(Locale.ROOT, "Loss at step %03d: %.3f%n", i, 10.0 - i);
  }

  @Test
  void everyStepLineAppearsOnceInOrderBeforeEventsAndTheEnd() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ConsoleReporter reporter = new ConsoleReporter(both, both, 1);
    StringBuilder expected = new StringBuilder(String.format("Initial loss: 68.000%n"));

    reporter.on(new TrainingEvent.InitialLoss(68.0));
    for (int i = 0; i < 5; i++) {
      reporter.on(new TrainingEvent.Step(step(i, List.of())));
      expected.append(stepLine(i));
    }
    reporter.on(new TrainingEvent.Step(
        step(5, List.of(new StepRecord.Reassignment(6, "w1", "left", 3, 0),
            new StepRecord.Reassignment(6, "w2", StepRecord.Reassignment.JOINED, 4, 0)))));
    expected.append(stepLine(5))
        .append(String.format("worker w1 left; 3 chunk(s) moved to the others%n"))
        .append(String.format("worker w2 joined; 4 chunk(s) moved to it%n"));
    // The last worker left: its chunks waited for the joiner, which found the run without any.
    reporter.on(new TrainingEvent.Step(
        step(6, List.of(new StepRecord.Reassignment(7, "w2", "left", 2, 0),
            new StepRecord.Reassignment(7, "w3", "left", 7, 0),
            new StepRecord.Reassignment(7, "w4", StepRecord.Reassignment.JOINED, 7, 5)))));
    expected.append(stepLine(6))
        .append(String.format("worker w2 left; 2 chunk(s) moved to the others%n"))
        .append(String.format("worker w3 left; no worker was left: 7 chunk(s) waited for one%n"))
        .append(String.format("worker w4 joined; 7 chunk(s) moved to it%n"));
    for (int i = 7; i < 9; i++) {
      reporter.on(new TrainingEvent.Step(step(i, List.of())));
      expected.append(stepLine(i));
    }
    reporter.on(new TrainingEvent.Finished(
        new RunSummary(Status.COMPLETED, 9, 9, 68.0, 1.0, PARAMS, 1, 0, "")));
    expected.append(String.format("Final loss: 1.000%nW = 3.0, B = 2.0%n"));

    assertEquals(expected.toString(), bytes.toString(StandardCharsets.UTF_8));
  }

  /**
   * The step line is built without a Formatter; it must be exactly what {@code %.3f} gives:
   * values where half-up rounding of the shortest decimal differs from rounding the binary value
   * (1.0005 is 1.000499999… in binary), ties, negative values rounding to zero, huge and tiny
   * magnitudes, non-finite values, and random values over 40 decades.
   */
  @Test
  void fixedThreePlacesEqualTheFormatter() {
    java.util.List<Double> values = new java.util.ArrayList<>(List.of(0.0, -0.0, 0.0005, 1.0005,
        0.0015, 2.5e-4, 0.9995, 9.9995, -0.0004, -0.0005, -1.0005, 1e-300, -1e-300, 1e20,
        123456789.0125, 1e300, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 68.88126484591506, 0.1 + 0.2));
    java.util.Random rnd = new java.util.Random(15);
    for (int i = 0; i < 200_000; i++) {
      double v = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20);
      values.add(v);
      values.add(Math.round(v * 2000) / 2000.0); // near ties
    }
    for (double v : values) {
      StringBuilder b = new StringBuilder();
      ConsoleReporter.appendFixed3(b, v);
      assertEquals(String.format(Locale.ROOT, "%.3f", v), b.toString(), () -> "value " + v);
    }
  }

  /**
   * A loss three places would hide is written as Keras' progress bar writes a number below
   * 0.001, {@code %.4e}: a run ending at 9.6e-7 printed "Final loss: 0.000", a huge initial
   * loss 36 digits (a new user's finding, 2026-12-07). The tutorial's range keeps {@code %.3f}.
   */
  @Test
  void aLossThreePlacesWouldHideIsWrittenWithAnExponent() {
    assertEquals("9.6171e-07", ConsoleReporter.lossText(9.6171234e-7));
    assertEquals("-5.0000e-04", ConsoleReporter.lossText(-5e-4));
    assertEquals("3.3231e+35", ConsoleReporter.lossText(3.32306998946228970e35));
    assertEquals("0.001", ConsoleReporter.lossText(1e-3));
    assertEquals("68.881", ConsoleReporter.lossText(68.88126484591506));
    assertEquals("123450000000000.000", ConsoleReporter.lossText(1.2345e14));
    assertEquals("1.0000e+15", ConsoleReporter.lossText(1e15));
    assertEquals("0.000", ConsoleReporter.lossText(0.0));
    assertEquals("NaN", ConsoleReporter.lossText(Double.NaN));
    assertEquals("Infinity", ConsoleReporter.lossText(Double.POSITIVE_INFINITY));
  }

  @Test
  void theExponentFormIsTheFormattersWithoutIt() {
    List<Double> values = new java.util.ArrayList<>(List.of(9.99995e-7, 9.99994999e-7, 1e-300,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, 1e15, 1.23456789e100, -5e-4,
        0.00099999, 9.9999500001e20, 1e-10, 123456.7e20));
    java.util.Random rnd = new java.util.Random(27);
    for (int i = 0; i < 200_000; i++) {
      double v = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(640) - 320);
      values.add(v);
      values.add(Math.round(v / Math.pow(10, Math.floor(Math.log10(Math.abs(v))) - 5) * 2)
          / 2.0 * Math.pow(10, Math.floor(Math.log10(Math.abs(v))) - 5)); // near ties
    }
    for (double v : values) {
      if (v == 0 || !Double.isFinite(v)) {
        continue;
      }
      StringBuilder b = new StringBuilder();
      ConsoleReporter.appendScientific4(b, v);
      assertEquals(String.format(Locale.ROOT, "%.4e", v), b.toString(), () -> "value " + v);
    }
  }

  @Test
  void stepLinesPadTheStepLikeTheFormatter() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ConsoleReporter reporter = new ConsoleReporter(out, out, 1);
    StringBuilder expected = new StringBuilder();
    for (long i : new long[] {0, 7, 10, 99, 100, 999, 1000, 123456}) {
      reporter.on(new TrainingEvent.Step(step(i, List.of())));
      expected.append(stepLine(i));
    }
    reporter.on(new TrainingEvent.Finished(
        new RunSummary(Status.COMPLETED, 9, 9, 68.0, 1.0, PARAMS, 1, 0, "")));
    assertEquals(expected.toString(),
        bytes.toString(StandardCharsets.UTF_8).replaceAll("(?s)Final loss.*", ""));
  }

  /**
   * s15 user finding 8: a mini-batch run's final line says its loss is over all training
   * samples (not the last epoch's mean); a full-batch run keeps the tutorial's line.
   */
  @Test
  void aMiniBatchRunsFinalLossSaysItIsOverAllTrainingSamples() {
    for (boolean miniBatches : new boolean[] {false, true}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      ConsoleReporter reporter = new ConsoleReporter(out, out, 1).miniBatches(miniBatches);
      reporter.on(new TrainingEvent.Finished(
          new RunSummary(Status.COMPLETED, 9, 9, 68.0, 0.2371, PARAMS, 1, 0, "")));
      String first = bytes.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
      assertEquals(miniBatches ? "Final loss (all training samples): 0.237" : "Final loss: 0.237",
          first);
    }
  }

  /** One line: who was lost while loading and why, how long it waits and for how many. */
  @Test
  void aStartWithoutWorkersLeftWhileLoadingSaysWhyAndThatItWaitsAgain() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ConsoleReporter reporter = new ConsoleReporter(err, err, 1);
    reporter.on(new TrainingEvent.WaitingAgain("w1 it cannot take part: --model: unknown model "
        + "'huber'", 1, java.time.Duration.ofSeconds(120)));
    reporter.on(new TrainingEvent.WaitingAgain("w2 terminated", 3,
        java.time.Duration.ofSeconds(5)));
    assertEquals(String.format("tapetrain: no worker left while loading (w1 it cannot take part: "
        + "--model: unknown model 'huber'); waiting up to 120 s for another worker to join "
        + "(--wait-timeout)%n"
        + "tapetrain: no worker left while loading (w2 terminated); waiting up to 5 s for 3 "
        + "workers to join (--wait-timeout)%n"), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aReducedRateIsPrintedInPlainDecimalsWithEveryDigit() {
    // A new user read "reducing learning rate to 7.8125E-4" (Java's notation) in 2026-12-07.
    org.junit.jupiter.api.Assertions.assertEquals("0.00078125", ConsoleReporter.plain(7.8125E-4));
    org.junit.jupiter.api.Assertions.assertEquals("0.1", ConsoleReporter.plain(0.1));
    org.junit.jupiter.api.Assertions.assertEquals("0.0000001", ConsoleReporter.plain(1e-7));
    org.junit.jupiter.api.Assertions.assertEquals("0.30000000000000004",
        ConsoleReporter.plain(0.1 + 0.2));
  }
}
