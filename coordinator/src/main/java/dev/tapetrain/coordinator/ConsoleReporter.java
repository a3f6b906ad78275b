package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.coordinator.run.FlushCadence;
import dev.tapetrain.protocol.NamedTensor;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Prints the tutorial's console output:
 * <pre>
 * Initial loss: 68.539
 * Loss at step 000: 65.877
 * …
 * Final loss: 0.964
 * W = 3.0147…, B = 2.0197…
 * </pre>
 * Step lines every {@code logEvery} steps; W and B with Java's {@code Double.toString}, which
 * reads back to the same double. A run that did not complete ends with its status on stderr.
 * Step lines are printed in batches at most 0.1 s apart ({@link FlushCadence}): one write per
 * line would cost more than a small step.
 */
public final class ConsoleReporter implements TrainingListener {

  private final PrintStream out;
  private final PrintStream err;
  private final int logEvery;
  private final StringBuilder pending = new StringBuilder();
  private final FlushCadence cadence = new FlushCadence();

  /** A reporter printing to {@code out} (progress) and {@code err} (problems). */
  public ConsoleReporter(PrintStream out, PrintStream err, int logEvery) {
    this.out = out;
    this.err = err;
    this.logEvery = logEvery;
  }

  @Override
  public void onInitialLoss(double loss) {
    out.printf(Locale.ROOT, "Initial loss: %.3f%n", loss);
  }

  @Override
  public void onResumed(long steps, double loss) {
    out.printf(Locale.ROOT, "Resumed after step %03d: %.3f%n", steps - 1, loss);
  }

  @Override
  public void onStep(StepRecord r) {
    if (r.step() % logEvery == 0) {
      pending.append(String.format(Locale.ROOT, "Loss at step %03d: %.3f%n", r.step(), r.loss()));
    }
    if (!r.events().isEmpty() || cadence.due()) {
      printPending();
    }
    for (StepRecord.Reassignment e : r.events()) {
      err.printf(Locale.ROOT, "worker %s %s; %d chunk(s) moved to the others%n", e.worker(),
          e.reason(), e.chunksMoved());
    }
  }

  @Override
  public void onNoWorkerLeft(long evaluation, String lastLoss, java.time.Duration timeout) {
    printPending();
    err.println("tapetrain: no worker left at step " + evaluation + " (" + lastLoss
        + "); waiting up to " + timeout.toSeconds() + " s for one to come back or join "
        + "(--rejoin-timeout)");
  }

  private void printPending() {
    if (pending.length() > 0) {
      out.print(pending);
      out.flush();
      pending.setLength(0);
    }
    cadence.flushed();
  }

  @Override
  public void onFinish(RunSummary s) {
    printPending();
    if (s.status() == Status.COMPLETED || s.status() == Status.CONVERGED) {
      if (s.status() == Status.CONVERGED) {
        err.println("tapetrain: converged after " + s.steps() + " step(s): " + s.message());
      }
      out.printf(Locale.ROOT, "Final loss: %.3f%n", s.loss());
      out.println("W = " + format(NamedTensor.find(s.params(), "w")) + ", B = "
          + format(NamedTensor.find(s.params(), "b")));
    } else {
      err.println("tapetrain: run " + s.status().label() + " after " + s.steps() + " step(s): "
          + s.message());
    }
    out.flush();
  }

  /** A scalar as {@code Double.toString}, a vector as {@code [a, b, …]}. */
  public static String format(NamedTensor t) {
    return t.shape().length == 0 ? Double.toString(t.values()[0]) : Arrays.toString(t.values());
  }
}
