package dev.tapetrain.coordinator.spec;

import dev.tapetrain.coordinator.optim.LearningRateSchedule;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.ProtoCodec;
import dev.tapetrain.protocol.proto.RunNumbersProto;

import dev.tapetrain.models.ModelNumerics;
import dev.tapetrain.models.Models;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything that determines a training run's numbers, plus how it is carried out.
 *
 * <p>The numbers of a run (every loss, the final W and B) depend on the fields marked
 * <em>numeric</em> only; {@code workers}, {@code logEvery} and {@code stepTimeout} change how the
 * run is carried out, never its results.
 *
 * @param workers      worker count the coordinator waits for before training
 * @param steps        number of updates (numeric)
 * @param learningRate optimizer step size (numeric)
 * @param optimizer    update rule and its settings (numeric)
 * @param dataset      the data and its chunking (numeric)
 * @param policy       mini-batches, L2 penalty, early stop (numeric)
 * @param logEvery     print and log every this many steps (the last step is always logged)
 * @param stepTimeout  how long the coordinator waits for a step's answers before it gives the
 *                     missing chunks of a silent worker to the others
 * @param waitTimeout  how long the coordinator waits for {@code workers} workers to join
 * @param checkpointEvery write a checkpoint every this many steps (and at the end)
 * @param rejoinTimeout how long the coordinator waits for a worker to come back (or a new one
 *                     to join) when it has none left mid-run; zero: fail at once
 * @param model        the model the workers build, with its settings (numeric)
 * @param schedule     the learning rate of each update, from {@code learningRate} (numeric)
 */
public record RunSpec(int workers, long steps, double learningRate, OptimizerSpec optimizer,
    DatasetSpec dataset, StepPolicy policy, int logEvery, Duration stepTimeout,
    Duration waitTimeout, long checkpointEvery, Duration rejoinTimeout, ModelSpec model,
    LearningRateSchedule schedule) {

  /** A run at the constant {@code learningRate} (no schedule, no warm-up). */
  public RunSpec(int workers, long steps, double learningRate, OptimizerSpec optimizer,
      DatasetSpec dataset, StepPolicy policy, int logEvery, Duration stepTimeout,
      Duration waitTimeout, long checkpointEvery, Duration rejoinTimeout, ModelSpec model) {
    this(workers, steps, learningRate, optimizer, dataset, policy, logEvery, stepTimeout,
        waitTimeout, checkpointEvery, rejoinTimeout, model, LearningRateSchedule.CONSTANT);
  }

  /** The default of {@link #rejoinTimeout()}: a network blip or a restarting worker fits. */
  public static final Duration DEFAULT_REJOIN_TIMEOUT =
      Duration.ofSeconds(Long.parseLong(Defaults.REJOIN_TIMEOUT_SECONDS));

  /**
   * Everything that decides the numbers except the step count (which a resumed run may raise):
   * learning rate, optimizer, step policy, dataset and chunking, model and their settings. The
   * record's other fields only say how the run is carried out.
   */
  public RunNumbersProto numbers() {
    RunNumbersProto.Builder b = RunNumbersProto.newBuilder()
        .setLearningRate(learningRate)
        .setOptimizer(optimizer.toProto())
        .setPolicy(policy.toProto())
        .setDataset(ProtoCodec.toProto(dataset))
        .setModel(ProtoCodec.toProto(model));
    if (!schedule.constant()) {
      // Only a schedule's runs have it: every other run keeps its bytes and so its digest.
      b.setLrSchedule(schedule.toProto());
    }
    int numerics = numericsVersion();
    if (numerics > 0) {
      // Only models that compute exp, tanh or sigmoid: the linear ones keep bytes and digest.
      b.setNumerics(numerics);
    }
    return b.build();
  }

  /**
   * The numerics version this run's numbers depend on: this build's ({@link
   * ModelNumerics#CURRENT}) if the model's loss computes exp, tanh or sigmoid, else 0 (the same
   * bits under every version). A model that cannot be built here counts as depending on it.
   */
  public int numericsVersion() {
    return NUMERICS.computeIfAbsent(List.of(model, dataset.features()), k -> {
      try {
        return ModelNumerics.version(Models.create(model.name(), dataset.features(),
            model.classes(), model.seed(), model.settings()), dataset.features());
      } catch (RuntimeException e) {
        return ModelNumerics.CURRENT;
      }
    });
  }

  /**
   * The numerics version {@code numbers} (a checkpoint's) were computed with: its field, or 1
   * where a model that depends on it has none (checkpoints before version 2, or none at all).
   */
  public static int recordedNumerics(RunNumbersProto numbers) {
    return numbers != null && numbers.getNumerics() > 0 ? numbers.getNumerics() : 1;
  }

  /** {@link #numericsVersion()} by model and feature count: tracing a model takes a while. */
  private static final Map<List<Object>, Integer> NUMERICS = new ConcurrentHashMap<>();

  /** The SHA-256 (hex) of {@link #numbers()}' bytes: equal exactly when the numbers are. */
  public String numericDigest() {
    return digest(numbers());
  }

  /** The digest of {@code numbers}, as {@link #numericDigest()} computes it. */
  public static String digest(RunNumbersProto numbers) {
    return dev.tapetrain.protocol.Hashing.sha256Hex(numbers.toByteArray());
  }

  /**
   * A run with the numbers of {@code numbers} (as a checkpoint carries them, of today's encoding
   * or an older one) and this execution: {@code steps} and the rest.
   *
   * @throws IllegalArgumentException if a value is out of range (a corrupt checkpoint)
   */
  public static RunSpec fromNumbers(RunNumbersProto numbers, int workers, long steps,
      int logEvery, Duration stepTimeout, Duration waitTimeout, long checkpointEvery,
      Duration rejoinTimeout) {
    return new RunSpec(workers, steps, numbers.getLearningRate(),
        OptimizerSpec.fromProto(numbers.getOptimizer()),
        ProtoCodec.fromProto(numbers.getDataset()), StepPolicy.fromProto(numbers.getPolicy()),
        logEvery, stepTimeout, waitTimeout, checkpointEvery, rejoinTimeout,
        modelOf(numbers), numbers.hasLrSchedule()
            ? LearningRateSchedule.fromProto(numbers.getLrSchedule())
            : LearningRateSchedule.CONSTANT);
  }

  /**
   * The model of {@code numbers}. Numbers written before 2026-12-06 kept the linear model's
   * initial W and B beside the model; those are its settings now.
   */
  public static ModelSpec modelOf(RunNumbersProto numbers) {
    ModelSpec m = ProtoCodec.fromProto(numbers.getModel());
    if (m.name().equals(ModelSpec.LINEAR) && !m.settings().containsKey("init-b")
        && numbers.getInitWCount() > 0) {
      java.util.Map<String, String> s = new java.util.TreeMap<>(m.settings());
      s.put("init-w", String.join(",", numbers.getInitWList().stream().map(String::valueOf)
          .toList()));
      s.put("init-b", Double.toString(numbers.getInitB()));
      m = new ModelSpec(m.name(), m.classes(), m.seed(), s);
    }
    return m;
  }

  /** Validates every field; the messages name the command-line option. */
  public RunSpec {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(stepTimeout, "stepTimeout");
    Objects.requireNonNull(waitTimeout, "waitTimeout");
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
    }
    if (steps < 0) {
      throw new IllegalArgumentException("--steps must be 0 or more, got " + steps);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "--learning-rate must be a finite number > 0, got " + learningRate);
    }
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(schedule, "schedule");
    schedule.check(learningRate);
    if (logEvery < 1) {
      throw new IllegalArgumentException("--log-every must be at least 1, got " + logEvery);
    }
    if (stepTimeout.isNegative() || stepTimeout.isZero()) {
      throw new IllegalArgumentException("--step-timeout must be positive, got " + stepTimeout);
    }
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("--checkpoint-every must be at least 1, got "
          + checkpointEvery);
    }
    if (waitTimeout.isNegative() || waitTimeout.isZero()) {
      throw new IllegalArgumentException("--wait-timeout must be positive, got " + waitTimeout);
    }
    Objects.requireNonNull(rejoinTimeout, "rejoinTimeout");
    if (rejoinTimeout.isNegative()) {
      throw new IllegalArgumentException("--rejoin-timeout must be 0 or more, got "
          + rejoinTimeout);
    }
  }
}
