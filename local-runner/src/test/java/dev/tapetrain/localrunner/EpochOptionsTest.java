package dev.tapetrain.localrunner;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The options of epochs of mini-batches (issue 26) that do not fit together, or not the data:
 * each is one line naming the option and its value, exit code 2, and no run directory.
 */
class EpochOptionsTest {

  @TempDir
  Path dir;

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of(new String[] {"--batch-size", "0"}, "--batch-size must be at least 1, got 0"),
        // A batch above the samples is one batch of them all, except with --drop-last.
        Arguments.of(new String[] {"--batch-size", "1001", "--drop-last"},
            "--batch-size 1001 with --drop-last leaves no batch: the 1000 training samples are "
                + "fewer than one batch (without --drop-last each epoch is one batch of all 1000)"),
        Arguments.of(new String[] {"--batch-size", "10", "--epochs", "0"},
            "--epochs must be at least 1, got 0"),
        Arguments.of(new String[] {"--batch-size", "10", "--epochs", "2", "--steps", "10"},
            "--steps cannot be used with --batch-size"),
        Arguments.of(new String[] {"--batch-size", "10", "--batch-fraction", "0.5"},
            "--batch-fraction cannot be used with --batch-size"),
        Arguments.of(new String[] {"--epochs", "3"}, "--epochs needs --batch-size"),
        Arguments.of(new String[] {"--no-shuffle"}, "--no-shuffle needs --batch-size"),
        Arguments.of(new String[] {"--drop-last"}, "--drop-last needs --batch-size"),
        // It says how (s15 user finding 7: Keras takes validation_split with any batch size).
        Arguments.of(new String[] {"--validation-split", "0.2"},
            "--validation-split needs --batch-size (without it a run takes full-batch --steps, "
                + "with no epochs to act after): add --batch-size B --epochs E; a B of 1000 or "
                + "more makes each epoch one full batch"),
        Arguments.of(new String[] {"--batch-size", "10", "--validation-split", "1"},
            "--validation-split must be in (0, 1), got 1.0"),
        Arguments.of(new String[] {"--batch-size", "10", "--validation-split", "0"},
            "--validation-split must be in (0, 1), got 0.0"),
        Arguments.of(new String[] {"--batch-size", "10", "--validation-split", "1e-17"},
            "--validation-split 1.0E-17 of 1000 samples leaves no validation sample"),
        Arguments.of(new String[] {"--batch-size", "10", "--validation-split", "0.9999"},
            "--validation-split 0.9999 of 1000 samples leaves no training sample"),
        Arguments.of(new String[] {"--batch-size", "900", "--validation-split", "0.2",
            "--drop-last"}, "--batch-size 900 with --drop-last leaves no batch: the 800 training "
                + "samples are fewer than one batch"),
        Arguments.of(new String[] {"--early-stopping-patience", "2"},
            "--early-stopping-patience needs --batch-size"),
        Arguments.of(new String[] {"--batch-size", "10", "--early-stopping-patience", "0"},
            "--early-stopping-patience must be at least 1, got 0"),
        Arguments.of(new String[] {"--batch-size", "10", "--early-stopping-patience", "2"},
            "--monitor val_loss needs --validation-split or --validation-data (or --monitor loss)"),
        Arguments.of(new String[] {"--batch-size", "10", "--min-delta", "0.1"},
            "--min-delta needs --early-stopping-patience, --restore-best or --reduce-lr-factor"),
        Arguments.of(new String[] {"--batch-size", "10", "--restore-best"},
            "--restore-best needs --validation-split"),
        Arguments.of(new String[] {"--restore-best"}, "--restore-best needs --batch-size"),
        Arguments.of(new String[] {"--batch-size", "10", "--early-stopping-patience", "2",
            "--monitor", "val_accuracy", "--validation-split", "0.2"},
            "--monitor val_accuracy: not a number of this run (loss, val_loss)"),
        // Without validation no val_ number is offered (a new user was, 2026-12-07).
        Arguments.of(new String[] {"--batch-size", "10", "--early-stopping-patience", "2",
            "--monitor", "val_acc", "--model", "logistic"},
            "--monitor val_acc: not a number of this run (loss, accuracy)"),
        Arguments.of(new String[] {"--batch-size", "10", "--early-stopping-patience", "2",
            "--monitor", "val_acc", "--model", "logistic", "--validation-split", "0.2"},
            "--monitor val_acc: not a number of this run (loss, val_loss, accuracy, "
                + "val_accuracy)"),
        Arguments.of(new String[] {"--batch-size", "10", "--early-stopping-patience", "2",
            "--monitor", "loss", "--min-delta", "-1"},
            "--min-delta must be a finite number >= 0, got -1.0"));
  }

  @ParameterizedTest
  @MethodSource("badOptions")
  void badOptionGetsOneLineAndExitCodeTwo(String[] args, String expected) throws Exception {
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run(Runs.withRunDir(args, run));
    Runs.assertRefused(r, expected, run);
  }
}
