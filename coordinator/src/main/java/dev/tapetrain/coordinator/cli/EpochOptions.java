package dev.tapetrain.coordinator.cli;

import dev.tapetrain.coordinator.spec.EarlyStop;
import dev.tapetrain.coordinator.spec.StepPolicy;
import dev.tapetrain.protocol.proto.RunNumbersProto;
import java.util.List;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/**
 * The options of a run of epochs of shuffled mini-batches (docs/training-loop.md), a picocli
 * mixin of {@link TrainOptions}: their values, what they refuse (each in one line), how many
 * updates they plan, and the step policy and early-stopping rule they make. {@code given}
 * tells whether an option was on the command line.
 */
final class EpochOptions {

  @Option(names = "--epochs", paramLabel = "E",
      description = "With --batch-size: passes over the training samples (default: 1); may be "
          + "raised on --resume. See docs/training-loop.md.")
  Long epochs;

  @Option(names = "--batch-size", paramLabel = "B",
      description = "Train by epochs of shuffled mini-batches of B samples (global, over all "
          + "workers), one update each, instead of full-batch steps; B above the training "
          + "samples makes each epoch one batch of them all (as Keras and PyTorch).")
  Long batchSize;

  @Option(names = "--no-shuffle",
      description = "With --batch-size: visit the samples in their order every epoch.")
  boolean noShuffle;

  @Option(names = "--drop-last",
      description = "With --batch-size: leave out each epoch's last, smaller batch (refused "
          + "when B exceeds the training samples: no batch would be left).")
  boolean dropLast;

  @Option(names = "--validation-split", paramLabel = "F",
      description = "With --batch-size: hold out the last share F of the samples, in (0, 1), "
          + "and evaluate them after every epoch (Keras' validation_split).")
  Double validationSplit;

  @Option(names = "--validation-data", paramLabel = "FILE", arity = "1..*",
      description = "With --batch-size: evaluate these data after every epoch (Keras' "
          + "validation_data): the same columns as --data, in either format (CSV or Parquet, "
          + "by extension, as --data); files, a directory or a quoted glob as for --data. Not "
          + "with --validation-split.")
  List<String> validationData;

  @Option(names = "--validate-every", paramLabel = "K",
      description = "With --validation-split or --validation-data: also evaluate it every K "
          + "updates, mid-epoch (val_loss on the next step's line of steps.jsonl).")
  Long validateEvery;

  @Option(names = "--early-stopping-patience", paramLabel = "P",
      description = "With --batch-size: stop (status stopped_early) after P epochs in a row "
          + "without improvement of --monitor (Keras' EarlyStopping).")
  Integer patience;

  @Option(names = "--min-delta", paramLabel = "D",
      description = "With --early-stopping-patience, --restore-best or --reduce-lr-factor: a "
          + "change must exceed D (absolute) to count as an improvement (default: 0).")
  Double minDelta;

  @Option(names = "--monitor", paramLabel = "NAME",
      description = "With --early-stopping-patience, --restore-best or --reduce-lr-factor: "
          + "val_loss (default), loss, or a metric of the model, plain or val_-prefixed "
          + "(val_accuracy).")
  String monitor;

  @Option(names = "--restore-best",
      description = "With validation: the parameters after the epoch best by --monitor "
          + "are the run's final ones, stopped early or not (Keras' restore_best_weights).")
  boolean restoreBest;

  @Option(names = "--reduce-lr-factor", paramLabel = "F",
      description = "With --batch-size: multiply the learning rate by F, in (0, 1), after "
          + "--reduce-lr-patience epochs without improvement of --monitor (Keras' "
          + "ReduceLROnPlateau).")
  Double reduceFactor;

  @Option(names = "--reduce-lr-patience", paramLabel = "P",
      description = "With --reduce-lr-factor: epochs without improvement that reduce the rate "
          + "(default: 10, as Keras).")
  Integer reducePatience;

  @Option(names = "--min-lr", paramLabel = "LR",
      description = "With --reduce-lr-factor: the rate is never reduced below LR (default: 0).")
  Double minLr;

  /** Whether the run validates: on a split of its data, or on data of their own. */
  boolean validates() {
    return validationSplit != null || validationData != null;
  }

  /**
   * The samples of {@code samples} the validation split holds out (the last ones, Keras' rule),
   * chunked apart from the training samples; 0 without a split. After {@link #plannedSteps},
   * which refuses a split that leaves no sample on a side.
   */
  long heldOut(long samples) {
    return validationSplit == null || batchSize == null ? 0
        : samples - (long) Math.floor(samples * (1.0 - validationSplit));
  }

  /** The step policy of these options beside the run's others. */
  StepPolicy policy(double batchFraction, long seed, double l2, double tolerance,
      EarlyStop earlyStop) {
    return new StepPolicy(batchFraction, seed, l2, tolerance, batchSize == null ? 0 : batchSize,
        !noShuffle, dropLast, validationSplit == null ? 0 : validationSplit, earlyStop,
        validateEvery == null ? 0 : validateEvery);
  }

  /**
   * The updates of a resumed run: {@code --steps} of a run of steps, {@code --epochs} of a run
   * of epochs (each given again, or the run's own {@code runSteps}).
   */
  long resumedSteps(RunNumbersProto numbers, long runSteps, long steps,
      Predicate<String> given) {
    StepPolicy policy = numbers == null ? null : StepPolicy.fromProto(numbers.getPolicy());
    boolean byEpochs = policy != null && policy.epochs();
    if (byEpochs && given.test("--steps")) {
      throw new UsageException("--resume: the run trains by epochs; raise --epochs, not --steps");
    }
    if (!byEpochs && given.test("--epochs")) {
      throw new UsageException("--resume: the run trains by steps; raise --steps, not --epochs");
    }
    if (byEpochs && given.test("--epochs")) {
      if (epochs < 1) {
        throw new UsageException("--epochs must be at least 1, got " + epochs);
      }
      long perEpoch = policy.stepsPerEpoch(
          dev.tapetrain.protocol.ProtoCodec.fromProto(numbers.getDataset()));
      return Math.multiplyExact(epochs, perEpoch);
    }
    return given.test("--steps") ? steps : runSteps;
  }

  /**
   * The updates of a run of epochs (that many epochs of {@code samples} training samples), after
   * refusing options that do not go with them; {@code --steps} without {@code --batch-size}.
   */
  long plannedSteps(long samples, long steps, Predicate<String> given) {
    if (batchSize == null) {
      for (String o : List.of("--epochs", "--no-shuffle", "--drop-last", "--validation-split",
          "--validation-data",
          "--early-stopping-patience", "--min-delta", "--monitor", "--restore-best",
          "--reduce-lr-factor", "--reduce-lr-patience", "--min-lr", "--validate-every")) {
        if (given.test(o) || (o.equals("--epochs") && epochs != null)
            || (o.equals("--validation-split") && validationSplit != null)
            || (o.equals("--early-stopping-patience") && patience != null)) {
          // Say how: Keras users expect validation_split with any batch size (s15 finding 7).
          throw new UsageException(o + " needs --batch-size (without it a run takes full-batch "
              + "--steps, with no epochs to act after): add --batch-size B --epochs E; a B of "
              + samples + " or more makes each epoch one full batch");
        }
      }
      return steps;
    }
    if (batchSize < 1) {
      throw new UsageException("--batch-size must be at least 1, got " + batchSize);
    }
    for (String o : List.of("--steps", "--batch-fraction", "--tolerance")) {
      if (given.test(o)) {
        throw new UsageException(o + " cannot be used with --batch-size: a run of mini-batches "
            + "takes --epochs of batches of the whole training set");
      }
    }
    if (validationSplit != null && validationData != null) {
      throw new UsageException("--validation-data cannot be used with --validation-split: "
          + "validate on a file of its own or on the last rows of --data, not both");
    }
    if (validateEvery != null && !validates()) {
      throw new UsageException("--validate-every needs --validation-split or --validation-data "
          + "(the samples it evaluates)");
    }
    if (validateEvery != null && validateEvery < 1) {
      throw new UsageException("--validate-every must be at least 1, got " + validateEvery);
    }
    if (validationSplit != null) {
      if (!(validationSplit > 0 && validationSplit < 1)) {
        throw new UsageException("--validation-split must be in (0, 1), got " + validationSplit);
      }
      long training = (long) Math.floor(samples * (1.0 - validationSplit));
      if (training < 1 || training == samples) {
        throw new UsageException("--validation-split " + validationSplit + " of " + samples
            + " samples leaves " + (training < 1 ? "no training" : "no validation") + " sample");
      }
      samples = training;
    }
    // A batch larger than the training samples is one batch of them all each epoch (Keras'
    // fit, PyTorch's DataLoader); only --drop-last would leave no batch at all.
    if (dropLast && batchSize > samples) {
      throw new UsageException("--batch-size " + batchSize + " with --drop-last leaves no "
          + "batch: the " + samples + " training samples are fewer than one batch (without "
          + "--drop-last each epoch is one batch of all " + samples + ")");
    }
    long e = epochs == null ? 1 : epochs;
    if (e < 1) {
      throw new UsageException("--epochs must be at least 1, got " + e);
    }
    return Math.multiplyExact(e, StepPolicy.batchesPerEpoch(samples, batchSize, dropLast));
  }

  /** The early-stopping rule asked for ({@code metrics}: the model's), after checking it. */
  EarlyStop earlyStop(List<String> metrics, Predicate<String> given) {
    if (restoreBest && !validates()) {
      throw new UsageException("--restore-best needs --validation-split or --validation-data "
          + "(the best parameters are those of the best validation)");
    }
    if (reduceFactor == null) {
      for (String o : List.of("--reduce-lr-patience", "--min-lr")) {
        if (given.test(o)) {
          throw new UsageException(o + " needs --reduce-lr-factor");
        }
      }
    }
    if (patience == null && !restoreBest && reduceFactor == null) {
      for (String o : List.of("--min-delta", "--monitor")) {
        if (given.test(o)) {
          throw new UsageException(o + " needs --early-stopping-patience, --restore-best or "
              + "--reduce-lr-factor");
        }
      }
      return EarlyStop.NONE;
    }
    if (reduceFactor != null && !(reduceFactor > 0 && reduceFactor < 1)) {
      throw new UsageException("--reduce-lr-factor must be in (0, 1), got " + reduceFactor);
    }
    if (patience != null && patience < 1) {
      throw new UsageException("--early-stopping-patience must be at least 1, got " + patience);
    }
    String name = monitor == null ? "val_loss" : monitor;
    String metric = name.startsWith("val_") ? name.substring(4) : name;
    if (!metric.equals("loss") && !metrics.contains(metric)) {
      // The val_ numbers are offered only to a run that validates.
      String prefixes = validates() ? ", val_" : "";
      throw new UsageException("--monitor " + name + ": not a number of this run (loss"
          + prefixes.replace(", val_", ", val_loss")
          + metrics.stream().map(m -> ", " + m + prefixes + (prefixes.isEmpty() ? "" : m))
              .reduce("", String::concat) + ")");
    }
    if (name.startsWith("val_") && !validates()) {
      throw new UsageException("--monitor " + name + " needs --validation-split or "
          + "--validation-data"
          + (monitor == null ? " (or --monitor loss)" : ""));
    }
    return TrainOptions.wrap(() -> new EarlyStop(patience == null ? 0 : patience,
        minDelta == null ? 0 : minDelta, name, restoreBest,
        reduceFactor == null ? 0 : reduceFactor,
        reduceFactor == null ? 0 : reducePatience == null ? 10 : reducePatience,
        minLr == null ? 0 : minLr));
  }
}
