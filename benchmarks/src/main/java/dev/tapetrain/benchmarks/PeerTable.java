package dev.tapetrain.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@link PeerBenchmark}'s results: its measurements, and the table of their medians over the
 * rounds, each system's ratios to tapetrain's, and issue 15's goals read from them.
 */
final class PeerTable {

  private PeerTable() {}

  /**
   * One measurement: ms per step with every step counted, the median step, and the final loss
   * (NaN where the job does not compare it).
   */
  record Time(double msPerStep, double medianStepMs, double wallSeconds, double loss,
      double firstStepMs) {

    Time(double msPerStep, double medianStepMs, double wallSeconds, double loss) {
      this(msPerStep, medianStepMs, wallSeconds, loss, Double.NaN);
    }
  }

  /** |a − b| relative to |b|; NaN if either is NaN. */
  static double relative(double a, double b) {
    return Math.abs(a - b) / Math.abs(b);
  }

  /**
   * Prints the table of {@code times} (by job name, then system, one time per round) and the
   * goals.
   */
  static void print(Map<String, Map<String, List<Time>>> times, int rounds) {
    System.out.printf(Locale.ROOT, "%n%-44s %-14s %10s %8s %12s %8s %9s %9s %8s%n",
        "job (median of " + rounds + " rounds)", "system", "ms/step", "÷ ours", "median step",
        "÷ ours", "wall s", "loss rel", "step 0");
    for (var job : times.entrySet()) {
      if (!job.getValue().containsKey("tapetrain")) {
        System.out.printf(Locale.ROOT, "%-44s (tapetrain failed in every round)%n", job.getKey());
        continue;
      }
      double ours = median(job.getValue().get("tapetrain"), Time::msPerStep);
      double oursMedian = median(job.getValue().get("tapetrain"), Time::medianStepMs);
      double ourLoss = job.getValue().get("tapetrain").get(0).loss();
      for (var system : job.getValue().entrySet()) {
        double ms = median(system.getValue(), Time::msPerStep);
        double step = median(system.getValue(), Time::medianStepMs);
        double wall = median(system.getValue(), Time::wallSeconds);
        double first = median(system.getValue(), Time::firstStepMs);
        // A peer's worst round against tapetrain's final loss (the same in every round).
        double lossRel = system.getKey().startsWith("tapetrain") ? Double.NaN
            : system.getValue().stream().mapToDouble(t -> relative(t.loss(), ourLoss)).max()
                .orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "%-44s %-14s %10.4f %8.2f %12.4f %8.2f %9s %9s %8s%n",
            job.getKey(), system.getKey(), ms, ms / ours, step, step / oursMedian,
            Double.isNaN(wall) ? "" : String.format(Locale.ROOT, "%.2f", wall),
            Double.isNaN(lossRel) ? "" : String.format(Locale.ROOT, "%.1e", lossRel),
            Double.isNaN(first) ? "" : String.format(Locale.ROOT, "%.1f", first));
      }
    }
    System.out.println("\nms/step: every step counted, the first included; median step: the"
        + " median of the second half of the steps. ÷ ours above 1: the peer is slower than"
        + " tapetrain. loss rel: the peer's final loss against tapetrain's, relative (D, E, F;"
        + " above " + PeerBenchmark.LOSS_AGREEMENT + " is a mismatch). tapetrain runs with an"
        + " empty loop cache; tapetrain-warm with the loop its cold run left there. step 0: the"
        + " first step's ms.");
    printGoals(times);
  }

  /**
   * Issue 15's goals 1 to 3 from the medians above: each goal's ratio for tapetrain, for its
   * C1-only option and for the actor floor (the design with nothing else in it), against the
   * bound the goal sets.
   */
  private static void printGoals(Map<String, Map<String, List<Time>>> times) {
    Map<String, List<Time>> a = times.get(PeerJobs.JOBS.get(0).name());
    if (a == null) {
      return; // only some jobs ran
    }
    Map<String, List<Time>> b = times.get(PeerJobs.JOBS.get(1).name());
    Map<String, List<Time>> c = times.get(PeerJobs.JOBS.get(2).name());
    if (!a.containsKey("numpy")) {
      System.out.println("\n(issue 15's goals need the peers: set TAPETRAIN_PYTHON)");
      return;
    }
    System.out.println("\nissue 15's goals (a ratio at or below its bound meets the goal):");
    for (String s : List.of("tapetrain", "tapetrain-c1")) {
      goal("1. A ms/step ÷ numpy's", s, ms(a, s) / ms(a, "numpy"), 1.0);
      goal("1. A ms/step ÷ TF XLA's", s, ms(a, s) / ms(a, "tf-xla"), 1.0);
    }
    for (String s : List.of("tapetrain", "tapetrain-c1", "actor-floor")) {
      goal("2. B ms/step ÷ numpy's", s, ms(b, s) / ms(b, "numpy"), 3.0);
      goal("2. B ms/step ÷ best of torch, tf.function", s,
          ms(b, s) / Math.min(ms(b, "torch"), ms(b, "tf-function")), 0.5);
      goal("2. B median step ÷ numpy's ms/step", s, medianStepOf(b, s) / ms(b, "numpy"), 1.0);
    }
    for (String s : List.of("tapetrain", "actor-floor")) {
      goal("3. C median step ÷ DDP's", s, medianStepOf(c, s) / medianStepOf(c, "torch-ddp"), 0.5);
    }
  }

  private static void goal(String what, String system, double ratio, double bound) {
    if (!Double.isNaN(ratio)) {
      System.out.printf(Locale.ROOT, "  %-44s %-13s %6.2f (≤ %.1f: %s)%n", what, system, ratio,
          bound, ratio <= bound ? "met" : "not met");
    }
  }

  /** A system's median ms/step on a job; NaN if it did not run. */
  private static double ms(Map<String, List<Time>> job, String system) {
    return job == null || !job.containsKey(system) ? Double.NaN
        : median(job.get(system), Time::msPerStep);
  }

  /** A system's median "median step" on a job; NaN if it did not run. */
  private static double medianStepOf(Map<String, List<Time>> job, String system) {
    return job == null || !job.containsKey(system) ? Double.NaN
        : median(job.get(system), Time::medianStepMs);
  }

  private static double median(List<Time> values, ToDoubleFunction<Time> f) {
    List<Double> v = new ArrayList<>();
    values.forEach(t -> v.add(f.applyAsDouble(t)));
    return ClusterBenchmark.median(v);
  }
}
