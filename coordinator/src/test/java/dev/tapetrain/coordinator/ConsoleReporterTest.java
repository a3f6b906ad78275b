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

    reporter.onInitialLoss(68.0);
    for (int i = 0; i < 5; i++) {
      reporter.onStep(step(i, List.of()));
      expected.append(stepLine(i));
    }
    reporter.onStep(step(5, List.of(new StepRecord.Reassignment(6, "w1", "left", 3, 0))));
    expected.append(stepLine(5))
        .append(String.format("worker w1 left; 3 chunk(s) moved to the others%n"));
    for (int i = 6; i < 9; i++) {
      reporter.onStep(step(i, List.of()));
      expected.append(stepLine(i));
    }
    reporter.onFinish(new RunSummary(Status.COMPLETED, 9, 9, 68.0, 1.0, PARAMS, 1, 0, ""));
    expected.append(String.format("Final loss: 1.000%nW = 3.0, B = 2.0%n"));

    assertEquals(expected.toString(), bytes.toString(StandardCharsets.UTF_8));
  }
}
