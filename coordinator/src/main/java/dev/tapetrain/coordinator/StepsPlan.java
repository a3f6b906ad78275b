package dev.tapetrain.coordinator;

import dev.tapetrain.coordinator.RunSummary.Status;
import dev.tapetrain.protocol.Hashing;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The plan of {@code --steps}: one update per round. Round {@code k} runs at the parameters
 * after {@code k} updates, so its loss is the initial loss ({@code k = 0}) or the loss after
 * update {@code k − 1}, logged as step {@code k − 1}; its gradients make update {@code k}.
 * Training stops once {@code steps} updates are done (completed), or when an update changed the
 * parameters by less than {@code --tolerance} relative to their norm (converged).
 *
 * <p>Each round reads every chunk (full batch), or with {@code --batch-fraction} below 1 a share
 * of them: chunk {@code c} is in round {@code k} when a hash of {@code (seed, k, c)} falls below
 * the fraction (and, if none does, the one with the smallest hash). The choice depends on
 * nothing else, so a mini-batch run is reproducible and the same for any number of workers.
 */
public final class StepsPlan implements RoundPlan {

  private final long steps;
  private final double tolerance;
  private final double fraction;
  private final long seed;
  private final int chunks;
  private final long firstRound;
  // The full batch, the same every round (immutable), made once.
  private List<Integer> all;

  /**
   * A plan of {@code steps} updates over {@code chunks} chunks, {@code fraction} of them per
   * round chosen from {@code seed}, stopping early below {@code tolerance} (0: never), starting
   * after {@code doneUpdates} updates (a resumed run's checkpoint; 0 for a new run).
   */
  public StepsPlan(long steps, double tolerance, double fraction, long seed, int chunks,
      long doneUpdates) {
    this.steps = steps;
    this.tolerance = tolerance;
    this.fraction = fraction;
    this.seed = seed;
    this.chunks = chunks;
    this.firstRound = doneUpdates;
  }

  @Override
  public Round first() {
    return round(firstRound);
  }

  @Override
  public Round next(Round done) {
    return round(done.number() + 1);
  }

  /** Round {@code k} is followed by rounds {@code k + 1 … steps}, each over a like share. */
  @Override
  public long roundsAhead(Round round) {
    return Math.max(0, steps - round.number());
  }

  /** Round {@code k}: its chunks, and what its loss stands for. */
  public Round round(long k) {
    Round.Loss loss = k == 0 ? Round.Loss.INITIAL
        : k == firstRound ? Round.Loss.RESUMED : Round.Loss.AFTER_LAST_STEP;
    return new Round(k, chunks(k), Round.Split.TRAINING, true, loss);
  }

  @Override
  public Optional<Stop> stopAfter(Round round, RoundResult result) {
    if (result.updates() == steps) {
      return Optional.of(Stop.completed());
    }
    // NaN (no update yet in this run) is never below the tolerance.
    if (result.lastChange() < tolerance) {
      return Optional.of(new Stop(Status.CONVERGED, "parameters changed by less than --tolerance "
          + tolerance + " (relative) in step " + (result.updates() - 1)));
    }
    return Optional.empty();
  }

  /** The chunks of round {@code k}, ascending. */
  private List<Integer> chunks(long k) {
    if (fraction >= 1) {
      if (all == null) {
        List<Integer> every = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
          every.add(c);
        }
        all = List.copyOf(every);
      }
      return all;
    }
    List<Integer> out = new ArrayList<>();
    long roundKey = Hashing.mix64(seed ^ Hashing.mix64(k + Hashing.GOLDEN));
    int smallest = 0;
    double smallestU = 2;
    for (int c = 0; c < chunks; c++) {
      double u = (Hashing.mix64(roundKey + c * Hashing.GOLDEN) >>> 11) * 0x1.0p-53;
      if (u < fraction) {
        out.add(c);
      }
      if (u < smallestU) {
        smallestU = u;
        smallest = c;
      }
    }
    if (out.isEmpty()) {
      out.add(smallest);
    }
    return out;
  }
}
