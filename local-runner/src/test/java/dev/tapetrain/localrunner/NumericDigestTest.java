package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.coordinator.cli.TrainOptions;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Every training option either changes the run's numeric digest (the bytes of
 * {@link RunSpec#numbers()}, which a checkpoint carries and {@code --resume} checks) or is one
 * of the few that only say how a run is carried out. The options are read from picocli's model
 * of {@link TrainOptions}, so a new option fails here until it is classified, and a numeric one
 * fails until its value reaches the digest. (In local-runner's tests, whose class path has the
 * test plug-ins {@code --set} and {@code --format} need.)
 */
class NumericDigestTest {

  @TempDir
  Path dir;

  @Command(name = "host")
  static final class Host {
    @Mixin
    TrainOptions train;
  }

  /** Options that change how a run is carried out, never its numbers: digest unchanged. */
  private static final Map<String, List<String>> EXECUTION = Map.of(
      "--steps", List.of("--steps", "17"),
      "--log-every", List.of("--log-every", "5"),
      "--checkpoint-every", List.of("--checkpoint-every", "7"),
      "--step-timeout", List.of("--step-timeout", "9"),
      "--wait-timeout", List.of("--wait-timeout", "9"),
      "--rejoin-timeout", List.of("--rejoin-timeout", "9"),
      "--run-dir", List.of("--run-dir", "elsewhere"));

  /**
   * Execution options that only apply beside another option: the base run and the same with
   * this one given, whose digests must be equal.
   */
  private static final Map<String, List<List<String>>> EXECUTION_BESIDE = Map.of(
      "--epochs", List.of(List.of("--batch-size", "10"),
          List.of("--batch-size", "10", "--epochs", "3")));

  /** Not a value of a run at all. */
  private static final Set<String> NOT_A_VALUE = Set.of("--resume", "--resume-if-exists");

  private Path csv;

  /** For each numeric option: the options of a base run, and the same with this one changed. */
  private Map<String, List<List<String>>> numeric() {
    String data = csv.toString();
    return Map.ofEntries(
        Map.entry("--model", pair(List.of(), List.of("--model", "mlp"))),
        Map.entry("--classes", pair(List.of("--model", "softmax"),
            List.of("--model", "softmax", "--classes", "4"))),
        Map.entry("--hidden", pair(List.of("--model", "mlp"),
            List.of("--model", "mlp", "--hidden", "5"))),
        Map.entry("--learning-rate", pair(List.of(), List.of("--learning-rate", "0.02"))),
        Map.entry("--init-w", pair(List.of(), List.of("--init-w", "4"))),
        Map.entry("--init-b", pair(List.of(), List.of("--init-b", "9"))),
        Map.entry("--optimizer", pair(List.of(), List.of("--optimizer", "adam"))),
        Map.entry("--momentum", pair(List.of("--optimizer", "momentum"),
            List.of("--optimizer", "momentum", "--momentum", "0.5"))),
        Map.entry("--nesterov", pair(List.of("--optimizer", "momentum"),
            List.of("--optimizer", "momentum", "--nesterov"))),
        Map.entry("--beta1", pair(List.of("--optimizer", "adam"),
            List.of("--optimizer", "adam", "--beta1", "0.8"))),
        Map.entry("--beta2", pair(List.of("--optimizer", "adam"),
            List.of("--optimizer", "adam", "--beta2", "0.99"))),
        Map.entry("--epsilon", pair(List.of("--optimizer", "adam"),
            List.of("--optimizer", "adam", "--epsilon", "1e-8"))),
        Map.entry("--batch-fraction", pair(List.of(), List.of("--batch-fraction", "0.5"))),
        Map.entry("--tolerance", pair(List.of(), List.of("--tolerance", "1e-6"))),
        Map.entry("--batch-size", pair(List.of(), List.of("--batch-size", "2"))),
        Map.entry("--no-shuffle", pair(List.of("--batch-size", "10"),
            List.of("--batch-size", "10", "--no-shuffle"))),
        Map.entry("--drop-last", pair(List.of("--batch-size", "10"),
            List.of("--batch-size", "10", "--drop-last"))),
        Map.entry("--validation-split", pair(List.of("--batch-size", "10"),
            List.of("--batch-size", "10", "--validation-split", "0.2"))),
        Map.entry("--early-stopping-patience", pair(List.of("--batch-size", "10"),
            List.of("--batch-size", "10", "--early-stopping-patience", "3", "--monitor",
                "loss"))),
        Map.entry("--min-delta", pair(
            List.of("--batch-size", "10", "--early-stopping-patience", "3", "--monitor", "loss"),
            List.of("--batch-size", "10", "--early-stopping-patience", "3", "--monitor", "loss",
                "--min-delta", "0.1"))),
        Map.entry("--restore-best", pair(List.of("--batch-size", "10", "--validation-split",
            "0.2"), List.of("--batch-size", "10", "--validation-split", "0.2",
            "--restore-best"))),
        Map.entry("--monitor", pair(List.of("--batch-size", "10", "--early-stopping-patience",
            "3", "--validation-split", "0.2"), List.of("--batch-size", "10",
            "--early-stopping-patience", "3", "--validation-split", "0.2", "--monitor",
            "loss"))),
        Map.entry("--lr-schedule", pair(List.of(), List.of("--lr-schedule", "cosine",
            "--lr-decay-steps", "10"))),
        Map.entry("--lr-decay-steps", pair(List.of("--lr-schedule", "cosine",
            "--lr-decay-steps", "10"), List.of("--lr-schedule", "cosine", "--lr-decay-steps",
            "11"))),
        Map.entry("--lr-min", pair(List.of("--lr-schedule", "cosine", "--lr-decay-steps", "10"),
            List.of("--lr-schedule", "cosine", "--lr-decay-steps", "10", "--lr-min", "0.001"))),
        Map.entry("--lr-decay-rate", pair(List.of("--lr-schedule", "exponential",
            "--lr-decay-steps", "10", "--lr-decay-rate", "0.5"), List.of("--lr-schedule",
            "exponential", "--lr-decay-steps", "10", "--lr-decay-rate", "0.6"))),
        Map.entry("--lr-boundaries", pair(List.of("--lr-schedule", "step", "--lr-boundaries",
            "10", "--lr-values", "0.1,0.01"), List.of("--lr-schedule", "step",
            "--lr-boundaries", "11", "--lr-values", "0.1,0.01"))),
        Map.entry("--lr-values", pair(List.of("--lr-schedule", "step", "--lr-boundaries",
            "10", "--lr-values", "0.1,0.01"), List.of("--lr-schedule", "step",
            "--lr-boundaries", "10", "--lr-values", "0.1,0.02"))),
        Map.entry("--reduce-lr-factor", pair(List.of("--batch-size", "10", "--monitor",
            "loss", "--reduce-lr-factor", "0.5"), List.of("--batch-size", "10", "--monitor",
            "loss", "--reduce-lr-factor", "0.2"))),
        Map.entry("--reduce-lr-patience", pair(List.of("--batch-size", "10", "--monitor",
            "loss", "--reduce-lr-factor", "0.5"), List.of("--batch-size", "10", "--monitor",
            "loss", "--reduce-lr-factor", "0.5", "--reduce-lr-patience", "3"))),
        Map.entry("--min-lr", pair(List.of("--batch-size", "10", "--monitor", "loss",
            "--reduce-lr-factor", "0.5"), List.of("--batch-size", "10", "--monitor", "loss",
            "--reduce-lr-factor", "0.5", "--min-lr", "0.001"))),
        Map.entry("--validation-data", pair(List.of("--data", data, "--features", "a",
            "--batch-size", "1"), List.of("--data", data, "--features", "a", "--batch-size", "1",
            "--validation-data", csv.resolveSibling("val.csv").toString()))),
        Map.entry("--class-weight", pair(List.of("--model", "softmax"),
            List.of("--model", "softmax", "--class-weight", "0:2"))),
        Map.entry("--validate-every", pair(List.of("--batch-size", "10", "--validation-split",
            "0.2"), List.of("--batch-size", "10", "--validation-split", "0.2",
            "--validate-every", "5"))),
        Map.entry("--warmup-steps", pair(List.of(), List.of("--warmup-steps", "5"))),
        Map.entry("--l2", pair(List.of(), List.of("--l2", "0.1"))),
        Map.entry("--examples", pair(List.of(), List.of("--examples", "999"))),
        Map.entry("--true-w", pair(List.of(), List.of("--true-w", "2.5"))),
        Map.entry("--true-b", pair(List.of(), List.of("--true-b", "1.5"))),
        Map.entry("--noise", pair(List.of(), List.of("--noise", "0.5"))),
        Map.entry("--seed", pair(List.of(), List.of("--seed", "7"))),
        Map.entry("--chunk-size", pair(List.of(), List.of("--chunk-size", "128"))),
        Map.entry("--data", pair(List.of(), List.of("--data", data, "--features", "a"))),
        Map.entry("--features", pair(List.of("--data", data, "--features", "a"),
            List.of("--data", data, "--features", "b"))),
        Map.entry("--target", pair(List.of("--data", data, "--features", "a", "--target", "y"),
            List.of("--data", data, "--features", "a", "--target", "z"))),
        Map.entry("--set", pair(List.of("--model", "huber"),
            List.of("--model", "huber", "--set", "delta=2"))),
        Map.entry("--format", pair(List.of("--data", data, "--features", "a,b"),
            List.of("--data", data, "--format", "tsv", "--set", "separator=,",
                "--set", "label-column=y"))));
  }

  private static List<List<String>> pair(List<String> base, List<String> changed) {
    return List.of(base, changed);
  }

  private static RunSpec spec(List<String> args) {
    Host host = new Host();
    new CommandLine(host).parseArgs(args.toArray(String[]::new));
    return host.train.toRunSpec(1);
  }

  @Test
  void everyOptionIsClassifiedAndEveryNumericOneReachesTheDigest() throws Exception {
    csv = dir.resolve("data.csv");
    Files.writeString(csv, "a,b,y,z\n1,2,3,4\n2,1,5,3\n0,3,1,0\n");
    Files.writeString(dir.resolve("val.csv"), "a,b,y,z\n3,2,1,0\n");

    Map<String, List<List<String>>> numeric = numeric();
    List<String> seen = new ArrayList<>();
    for (CommandLine.Model.OptionSpec o : new CommandLine(new Host()).getCommandSpec()
        .options()) {
      String name = o.longestName();
      seen.add(name);
      if (NOT_A_VALUE.contains(name)) {
        continue;
      }
      if (EXECUTION.containsKey(name)) {
        assertEquals(spec(List.of()).numericDigest(), spec(EXECUTION.get(name)).numericDigest(),
            name + " changes only how a run is carried out, yet changed the digest");
        continue;
      }
      if (EXECUTION_BESIDE.containsKey(name)) {
        List<List<String>> e = EXECUTION_BESIDE.get(name);
        assertEquals(spec(e.get(0)).numericDigest(), spec(e.get(1)).numericDigest(),
            name + " changes only how a run is carried out, yet changed the digest");
        continue;
      }
      List<List<String>> p = numeric.get(name);
      assertTrue(p != null, name + " is neither numeric nor an execution option here: "
          + "classify it (and if it changes numbers, put it into RunSpec.numbers())");
      RunSpec base = spec(p.get(0));
      RunSpec changed = spec(p.get(1));
      assertNotEquals(base.numericDigest(), changed.numericDigest(),
          name + " changes the numbers but not the digest: it is missing from RunSpec.numbers()");
      // The checkpoint's numbers rebuild the same run.
      RunSpec back = RunSpec.fromNumbers(changed.numbers(), 1, changed.steps(),
          changed.logEvery(), changed.stepTimeout(), changed.waitTimeout(),
          changed.checkpointEvery(), changed.rejoinTimeout());
      assertEquals(changed, back, name + ": the numbers do not rebuild the run");
    }
    assertTrue(seen.containsAll(numeric.keySet()), "options gone from TrainOptions: " + seen);
  }
}
