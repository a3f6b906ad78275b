package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.coordinator.run.FlushCadence;
import dev.tapetrain.models.Models;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;
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
  private final List<String> flat;
  private final java.util.function.Consumer<Runnable> printer;
  private List<String> metricNames = List.of();
  private List<Double> lastMetrics = List.of();
  private String finalLabel = "Final loss: ";
  private final StringBuilder pending = new StringBuilder();
  private final FlushCadence cadence = new FlushCadence();

  /** A reporter of the tutorial's model printing to {@code out} and {@code err} (problems). */
  public ConsoleReporter(PrintStream out, PrintStream err, int logEvery) {
    this(out, err, logEvery, Models.flatParameters(ModelSpec.LINEAR), Runnable::run);
  }

  /**
   * A reporter printing to {@code out} (progress) and {@code err} (problems), each batch of lines
   * during training through {@code printer} (e.g. {@link ProgressReporter#above}, which keeps a
   * progress bar below them). {@code flat}: the model's parameters shown by name in its final
   * line (the tutorial's {@code W = …, B = …}); with none, the final lines give each parameter's
   * shape and norm.
   */
  public ConsoleReporter(PrintStream out, PrintStream err, int logEvery, List<String> flat,
      java.util.function.Consumer<Runnable> printer) {
    this.out = out;
    this.err = err;
    this.logEvery = logEvery;
    this.flat = List.copyOf(flat);
    this.printer = printer;
  }

  /**
   * With {@code miniBatches} (a run whose step lines show one batch's loss: {@code --batch-size},
   * {@code --batch-fraction}), the final line says its loss is over all training samples, so it
   * is not read as the last epoch's mean ({@code Final loss (all training samples): 0.237}). A
   * full-batch run keeps the tutorial's {@code Final loss: 0.964}, whose steps are that loss too.
   */
  public ConsoleReporter miniBatches(boolean miniBatches) {
    finalLabel = miniBatches ? "Final loss (all training samples): " : "Final loss: ";
    return this;
  }

  @Override
  public void on(TrainingEvent event) {
    if (event instanceof TrainingEvent.Step s) {
      onStep(s.record());
    } else if (event instanceof TrainingEvent.ModelAdopted m) {
      metricNames = m.metrics();
    } else if (event instanceof TrainingEvent.InitialLoss i) {
      onInitialLoss(i.loss());
    } else if (event instanceof TrainingEvent.Resumed r) {
      onResumed(r.steps(), r.loss());
    } else if (event instanceof TrainingEvent.EpochEnded e) {
      onEpochEnded(e);
    } else if (event instanceof TrainingEvent.Evaluated e) {
      lastMetrics = e.metrics(); // the final line's metrics go with its loss
    } else if (event instanceof TrainingEvent.NoWorkerLeft n) {
      onNoWorkerLeft(n.round(), n.lastLost(), n.timeout());
    } else if (event instanceof TrainingEvent.WaitingAgain w) {
      onWaitingAgain(w);
    } else if (event instanceof TrainingEvent.Finished f) {
      onFinish(f.summary());
    }
  }

  /** {@code , accuracy 0.912} for each metric, or nothing. */
  private String metrics(List<Double> values) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < values.size() && i < metricNames.size(); i++) {
      b.append(", ").append(metricNames.get(i)).append(' ');
      appendFixed3(b, values.get(i));
    }
    return b.toString();
  }

  private void onInitialLoss(double loss) {
    printer.accept(() -> {
      out.println("Initial loss: " + lossText(loss));
      out.flush();
    });
  }

  private void onResumed(long steps, double loss) {
    printer.accept(() -> {
      out.printf(Locale.ROOT, "Resumed after step %03d: %s%n", steps - 1, lossText(loss));
      out.flush();
    });
  }

  private void onStep(StepRecord r) {
    if (r.step() % logEvery == 0) {
      // String.format per line cost more than the rest of a small step's record (profiled).
      pending.append("Loss at step ");
      if (r.step() < 100) {
        pending.append(r.step() < 10 ? "00" : "0");
      }
      pending.append(r.step()).append(": ");
      appendLoss(pending, r.loss());
      pending.append(metrics(r.metrics())).append(System.lineSeparator());
    }
    lastMetrics = r.metrics();
    if (!r.events().isEmpty() || cadence.due()) {
      printPending();
    }
    if (!r.events().isEmpty()) {
      printer.accept(() -> {
        List<StepRecord.Reassignment> events = r.events();
        for (int i = 0; i < events.size(); i++) {
          StepRecord.Reassignment e = events.get(i);
          // A joiner's chunks came to it; a lost worker's went to the others, unless it was
          // the last one ("moved to the others" when there were none).
          if (!e.joined() && leftNone(events, i)) {
            err.printf(Locale.ROOT, "worker %s %s; no worker was left: %d chunk(s) waited for "
                + "one%n", e.worker(), e.reason(), e.chunksMoved());
          } else {
            err.printf(Locale.ROOT, "worker %s %s; %d chunk(s) moved to %s%n", e.worker(),
                e.reason(), e.chunksMoved(), e.joined() ? "it" : "the others");
          }
        }
      });
    }
  }

  /**
   * Whether the loss {@code events[i]} left the run without workers: the event after it is a
   * join that found none (its recovery time is how long the run had none).
   */
  private static boolean leftNone(List<StepRecord.Reassignment> events, int i) {
    return i + 1 < events.size() && events.get(i + 1).joined()
        && events.get(i + 1).recoveryNanos() > 0;
  }

  /** {@code Epoch 3/20 — loss 0.412, accuracy 0.861 — val_loss 0.455, val_accuracy 0.842}. */
  private void onEpochEnded(TrainingEvent.EpochEnded e) {
    StringBuilder b = new StringBuilder("Epoch ").append(e.epoch()).append('/')
        .append(e.epochs()).append(" \u2014 loss ");
    appendLoss(b, e.loss());
    b.append(metrics(e.metrics()));
    if (!Double.isNaN(e.valLoss())) {
      b.append(" \u2014 val_loss ");
      appendLoss(b, e.valLoss());
      b.append(metrics(e.valMetrics()).replace(", ", ", val_"));
    }
    pending.append(b).append(System.lineSeparator());
    TrainingEvent.RateReduced r = e.reduced();
    if (r != null) {
      // Keras' ReduceLROnPlateau(verbose=1) line, after the epoch's.
      pending.append("Epoch ").append(e.epoch()).append(": reducing learning rate to ")
          .append(plain(r.rate())).append(" (").append(r.monitor()).append(" did not improve for ")
          .append(r.patience()).append(r.patience() == 1 ? " epoch)" : " epochs)")
          .append(System.lineSeparator());
    }
    printPending();
  }

  /**
   * {@code v} in plain decimals, every digit of the double kept (0.00078125, not Java's
   * 7.8125E-4): the rate a user compares with what they asked for.
   */
  static String plain(double v) {
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  private void onNoWorkerLeft(long round, String lastLost, java.time.Duration timeout) {
    printPending();
    printer.accept(() -> err.println("tapetrain: no worker left at step " + round + " ("
        + lastLost + "); waiting up to " + timeout.toSeconds() + " s for one to come back or "
        + "join (--rejoin-timeout)"));
  }

  private void onWaitingAgain(TrainingEvent.WaitingAgain w) {
    printer.accept(() -> err.println("tapetrain: no worker left while loading (" + w.lastLost()
        + "); waiting up to " + w.timeout().toSeconds() + " s for "
        + (w.expected() == 1 ? "another worker" : w.expected() + " workers")
        + " to join (--wait-timeout)"));
  }

  private void printPending() {
    if (pending.length() > 0) {
      printer.accept(() -> {
        out.print(pending);
        out.flush();
      });
      pending.setLength(0);
    }
    cadence.flushed();
  }

  private void onFinish(RunSummary s) {
    printPending();
    if (s.status() == Status.COMPLETED || s.status() == Status.CONVERGED
        || s.status() == Status.STOPPED_EARLY) {
      if (s.status() != Status.COMPLETED) {
        err.println("tapetrain: " + s.status().label().replace('_', ' ') + " after "
            + s.steps() + " step(s): " + s.message());
      }
      out.println(finalLabel + lossText(s.loss()) + metrics(lastMetrics));
      if (!flat.isEmpty()) {
        List<String> parts = new java.util.ArrayList<>();
        for (String name : flat) {
          parts.add(name.toUpperCase(Locale.ROOT) + " = "
              + format(NamedTensor.find(s.params(), name)));
        }
        out.println(String.join(", ", parts));
      } else {
        for (NamedTensor p : s.params()) {
          if (p.values().length == 1) { // a slope or bias: its value (and sign), not a norm
            out.printf(Locale.ROOT, "%s %s = %s%n", p.name(), Arrays.toString(p.shape()),
                Double.toString(p.values()[0]));
            continue;
          }
          double norm = 0;
          for (double v : p.values()) {
            norm += v * v;
          }
          out.printf(Locale.ROOT, "%s %s: norm %.6g%n", p.name(), Arrays.toString(p.shape()),
              Math.sqrt(norm));
        }
      }
    } else {
      err.println("tapetrain: run " + s.status().label() + " after " + s.steps() + " step(s): "
          + s.message());
    }
    out.flush();
  }

  /**
   * Appends loss {@code v} as the tutorial prints it, {@code %.3f} (see {@link #appendFixed3}),
   * unless three places would hide it: below 0.001 (a loss of 9.6e-7 printed as 0.000) or from
   * 10^15 on (36 digits before the point) it is {@code %.4e}, as Keras' progress bar writes a
   * number below 0.001 ({@code 9.6171e-07}).
   */
  static void appendLoss(StringBuilder b, double v) {
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e15) && Double.isFinite(v)) {
      appendScientific4(b, v);
    } else {
      appendFixed3(b, v);
    }
  }

  /**
   * Appends {@code v} (finite, not 0) as {@code String.format(Locale.ROOT, "%.4e", v)} writes it,
   * without a {@link java.util.Formatter} (a converging run's every step line would pay for one):
   * the digits of {@code Double.toString} rounded half up to five significant ones, as the
   * formatter rounds them, and an exponent of at least two digits.
   */
  static void appendScientific4(StringBuilder b, double v) {
    BigDecimal d = new BigDecimal(Double.toString(v)).round(new java.math.MathContext(5,
        RoundingMode.HALF_UP));
    String digits = d.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - d.scale();
    digits = (digits + "0000").substring(0, 5);
    if (v < 0) {
      b.append('-');
    }
    b.append(digits.charAt(0)).append('.').append(digits, 1, 5).append('e')
        .append(exponent < 0 ? '-' : '+');
    int e = Math.abs(exponent);
    if (e < 10) {
      b.append('0');
    }
    b.append(e);
  }

  /** Loss {@code v} as {@link #appendLoss} writes it. */
  static String lossText(double v) {
    StringBuilder b = new StringBuilder();
    appendLoss(b, v);
    return b.toString();
  }

  /**
   * Appends {@code v} as {@code String.format(Locale.ROOT, "%.3f", v)} writes it, without a
   * {@link java.util.Formatter}: the digits of {@code Double.toString} rounded half up to three
   * places, which is what the formatter does.
   */
  static void appendFixed3(StringBuilder b, double v) {
    if (!Double.isFinite(v)) {
      b.append(String.format(Locale.ROOT, "%.3f", v));
      return;
    }
    BigDecimal rounded = new BigDecimal(Double.toString(v)).setScale(3, RoundingMode.HALF_UP);
    if (rounded.signum() == 0 && Double.doubleToRawLongBits(v) < 0) {
      b.append('-'); // the formatter keeps the sign of a negative value that rounds to zero
    }
    b.append(rounded.toPlainString());
  }

  /** A scalar as {@code Double.toString}, a vector as {@code [a, b, …]}. */
  public static String format(NamedTensor t) {
    return t.shape().length == 0 ? Double.toString(t.values()[0]) : Arrays.toString(t.values());
  }
}
