package dev.tapetrain.coordinator.spec;


/**
 * What each step trains on and when training stops early.
 *
 * @param batchFraction share of the chunks each step uses, in (0, 1]; the chunks of step k are
 *                      chosen from {@code (batchSeed, k)}, whatever the workers
 * @param batchSeed     seed of the chunk choice
 * @param l2            weight λ of the penalty λ‖W‖² added to the loss (not to B), ≥ 0
 * @param tolerance     stop (status converged) when an update changes the parameters by less
 *                      than this, relative to their norm; 0 never stops early
 */
public record StepPolicy(double batchFraction, long batchSeed, double l2, double tolerance) {

  /** Validates; messages name the command-line option. */
  public StepPolicy {
    if (!(batchFraction > 0 && batchFraction <= 1)) {
      throw new IllegalArgumentException("--batch-fraction must be in (0, 1], got "
          + batchFraction);
    }
    if (!(l2 >= 0) || !Double.isFinite(l2)) {
      throw new IllegalArgumentException("--l2 must be a finite number >= 0, got " + l2);
    }
    if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
      throw new IllegalArgumentException("--tolerance must be a finite number >= 0, got "
          + tolerance);
    }
  }

  /** Full batch, no penalty, no early stop: the tutorial. */
  public static StepPolicy fullBatch() {
    return new StepPolicy(1.0, 0, 0, 0);
  }

  /** The policy as it enters the run's numeric digest. */
  public dev.tapetrain.protocol.proto.StepPolicyProto toProto() {
    return dev.tapetrain.protocol.proto.StepPolicyProto.newBuilder()
        .setBatchFraction(batchFraction).setBatchSeed(batchSeed).setL2(l2)
        .setTolerance(tolerance).build();
  }

  /** The policy {@link #toProto()} wrote. */
  public static StepPolicy fromProto(dev.tapetrain.protocol.proto.StepPolicyProto p) {
    return new StepPolicy(p.getBatchFraction(), p.getBatchSeed(), p.getL2(), p.getTolerance());
  }
}
