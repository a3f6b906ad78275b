package dev.tapetrain.localrunner.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.localrunner.LocalRunner;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API against the command line: same bits, same files, no exits. */
class TrainerTest {

  private static final double W = 3.0981413427134927;
  private static final double B = 2.1183506602882813;

  @TempDir
  Path dir;

  /** Every line of steps.jsonl without its timings (which differ between any two runs). */
  private static List<String> numbers(Path run) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(line);
      out.add(n.get("step") + " " + n.get("loss") + " " + n.get("params") + " "
          + n.get("grad_norm") + " " + n.get("digest"));
    }
    return out;
  }

  @Test
  void fitWritesTheRunTheCommandLineWritesBitForBit() throws Exception {
    Path cli = dir.resolve("cli");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    assertEquals(0, LocalRunner.run(new String[] {"--run-dir", cli.toString()}, quiet, quiet));

    List<TrainingStep> steps = new ArrayList<>();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    TrainedRun api = Trainer.builder().runDir(dir.resolve("api")).onStep(steps::add)
        .console(new PrintStream(console, true, StandardCharsets.UTF_8), quiet).build().fit();

    assertEquals(Double.doubleToLongBits(W), Double.doubleToLongBits(api.parameters().get("w")[0]));
    assertEquals(Double.doubleToLongBits(B), Double.doubleToLongBits(api.parameters().get("b")[0]));
    assertEquals(numbers(cli), numbers(api.runDir()));
    assertArrayEquals(Files.readAllBytes(cli.resolve("checkpoint.pb")),
        Files.readAllBytes(api.runDir().resolve("checkpoint.pb")));
    assertTrue(console.toString(StandardCharsets.UTF_8).endsWith("W = " + W + ", B = " + B
        + "\n"));
    assertEquals("completed", api.status());
    assertEquals(200, api.steps());
    assertEquals(200, steps.size());
    assertEquals(199, steps.get(199).step());
    assertArrayEquals(new double[] {W}, steps.get(199).parameters().get("w"));
    assertEquals(Double.doubleToLongBits(api.loss()),
        Double.doubleToLongBits(steps.get(199).loss()));
    // predict is the model's own forward pass: x·w + b.
    assertArrayEquals(new double[][] {{4.0 * W + B}, {B}}, api.predict(new double[][] {{4.0},
        {0.0}}));
  }

  @Test
  void theReadmesExampleTrainsTheTutorialsBits() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String source = Files.readString(Path.of("src", "test", "java", "com", "example",
        "FitLine.java"));
    assertTrue(readme.contains(source.strip()), "README.md must show "
        + "local-runner/src/test/java/com/example/FitLine.java verbatim");
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    TrainedRun run;
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      run = com.example.FitLineAccess.fit(dir.resolve("example"));
    } finally {
      System.setOut(stdout);
    }
    assertEquals(W, run.parameters().get("w")[0]);
    assertEquals(B, run.parameters().get("b")[0]);
    assertEquals("0: 66.20531917089262\n50: 9.741299670178261\n100: 2.186796764042758\n"
        + "150: 1.1758241943055914\n", printed.toString(StandardCharsets.UTF_8));
    // Run again, as a reader of the tutorial does: the finished run, not "already exists".
    TrainedRun again = com.example.FitLineAccess.fit(dir.resolve("example"));
    assertEquals(W, again.parameters().get("w")[0]);
    assertEquals(B, again.parameters().get("b")[0]);
  }

  /** A line fitted with squared error, handed to the trainer as an object. */
  static final class OwnLine implements ModelFactory {
    private final String name;
    private final CountDownLatch hold;

    OwnLine(String name, CountDownLatch hold) {
      this.name = name;
      this.hold = hold;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Model create(ModelOptions options) {
      int f = options.features();
      return new Model() {
        @Override
        public List<Parameter> parameters() {
          return List.of(new Parameter("w", new int[] {f}, new double[f], true),
              new Parameter("b", new int[0], new double[] {0}, false));
        }

        @Override
        public Tensor predict(Map<String, Tensor> p, Tensor x) {
          return Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
        }

        @Override
        public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
          while (hold != null && hold.getCount() > 0) {
            try {
              hold.await(); // a model that never returns, until the test lets it go
            } catch (InterruptedException ignored) {
              // keep holding
            }
          }
          return Ops.sum(Ops.square(Ops.sub(predict(p, x), y)));
        }
      };
    }
  }

  @Test
  void aUsersModelObjectTrainsWithoutAServicesEntry() throws Exception {
    TrainedRun run = Trainer.builder().model(new OwnLine("own-line", null)).steps(50)
        .learningRate(0.1).runDir(dir.resolve("own")).build().fit();
    double w = run.parameters().get("w")[0];
    double b = run.parameters().get("b")[0];
    assertTrue(Math.abs(w - 3) < 0.2 && Math.abs(b - 2) < 0.2, w + ", " + b);
    assertEquals(2 * w + b, run.predict(new double[][] {{2.0}})[0][0]);
    // Visible only while it trains: a later run in this JVM does not find it.
    assertFalse(Models.available().containsKey("own-line"));
    IllegalArgumentException gone = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().model("own-line").runDir(dir.resolve("gone")).build().fit());
    assertTrue(gone.getMessage().startsWith("--model: unknown model 'own-line'"),
        gone.getMessage());
  }

  /**
   * A run of a model object resumes with the same object (its name given again is no change),
   * and without it the refusal names the missing model — it named a numerics version the run
   * did not have (new-user round).
   */
  @Test
  void aUsersModelObjectsRunResumesWithTheObjectAndSaysWhenItIsMissing() throws Exception {
    Path run = dir.resolve("own-resumed");
    Trainer.builder().model(new OwnLine("own-resumed", null)).steps(20).learningRate(0.1)
        .runDir(run).build().fit();
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().option("--resume", run.toString()).steps(25).build().fit());
    assertTrue(missing.getMessage().startsWith("--resume " + run + ": the run's model: unknown "
        + "model 'own-resumed' (available: linear, logistic, softmax, mlp"), missing.getMessage());
    assertTrue(missing.getMessage().endsWith("; one of your own: put its jar on the class path "
        + "(TAPETRAIN_CLASSPATH=its.jar for bin/tapetrain, else java -cp); in Java, pass it to "
        + "Trainer.builder().model(…)"), missing.getMessage());
    TrainedRun resumed = Trainer.builder().model(new OwnLine("own-resumed", null))
        .option("--resume", run.toString()).steps(25).build().fit();
    assertEquals(25, resumed.steps());
    // The same 25 steps in one go: the same bits (a resumed run is the run).
    TrainedRun straight = Trainer.builder().model(new OwnLine("own-resumed", null)).steps(25)
        .learningRate(0.1).runDir(dir.resolve("own-straight")).build().fit();
    assertEquals(numbers(dir.resolve("own-straight")), numbers(run));
    // A value the run does not have is still refused.
    IllegalArgumentException changed = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().model(new OwnLine("own-resumed", null)).learningRate(0.2)
            .option("--resume", run.toString()).steps(30).build().fit());
    assertTrue(changed.getMessage().startsWith("--resume: --learning-rate cannot change"),
        changed.getMessage());
  }

  @Test
  void aModelStuckPastTheStepTimeoutMakesFitThrowAndThisJvmGoesOn() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    Path run = dir.resolve("stuck");
    try {
      TrainingFailedException e = assertThrows(TrainingFailedException.class,
          () -> Trainer.builder().model(new OwnLine("stuck-line", hold)).workers(1)
              .option("--threads", "1").option("--step-timeout", "1").runDir(run).build().fit());
      assertEquals("failed", e.status());
      assertEquals(1, e.exitCode());
      assertEquals(run, e.runDir());
      // Held in round 0, the initial loss, before any step.
      assertEquals("failed: model stuck-line did not return within the 1000 ms step deadline "
          + "while computing the initial loss (--step-timeout); its thread cannot be stopped, so "
          + "it is abandoned",
          e.getMessage());
    } finally {
      hold.countDown(); // the abandoned thread may finish now
    }
    JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
    assertEquals("failed", summary.path("status").asText());
    assertTrue(summary.path("message").asText().endsWith("so it is abandoned"), summary.toString());
  }

  @Test
  void interruptingTheFittingThreadInterruptsTheRunResumably() throws Exception {
    Path run = dir.resolve("interrupted");
    CountDownLatch fifthStep = new CountDownLatch(1);
    Trainer trainer = Trainer.builder().steps(1_000_000).option("--checkpoint-every", "1")
        .runDir(run).onStep(s -> {
          if (s.step() == 5) {
            fifthStep.countDown();
          }
        }).build();
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean flagKept =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread fitting = new Thread(() -> {
      try {
        trainer.fit();
      } catch (Throwable t) {
        thrown.set(t);
        flagKept.set(Thread.currentThread().isInterrupted());
      }
    });
    fitting.start();
    try {
      assertTrue(fifthStep.await(60, java.util.concurrent.TimeUnit.SECONDS));
      fitting.interrupt();
      fitting.join(60_000);
    } finally {
      fitting.interrupt();
    }
    assertFalse(fitting.isAlive());
    TrainingFailedException e = (TrainingFailedException) thrown.get();
    assertEquals("interrupted", e.status());
    assertEquals(130, e.exitCode());
    assertTrue(e.getMessage().startsWith("interrupted: the thread running fit() was interrupted"),
        e.getMessage());
    assertTrue(flagKept.get());
    JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
    assertEquals("interrupted", summary.path("status").asText());
    // The checkpoint continues it: three more steps after the ones it has.
    long done = summary.path("steps").asLong();
    assertTrue(done >= 5, summary.toString());
    TrainedRun resumed = Trainer.builder().option("--resume", run.toString())
        .steps(done + 3).build().fit();
    assertEquals(done + 3, resumed.steps());
  }

  @Test
  void aClassifiersMetricsAndProbabilitiesAreTheRunsOwn() throws Exception {
    TrainedRun run = Trainer.builder().model("logistic").learningRate(0.5).steps(30)
        .runDir(dir.resolve("logistic")).build().fit();
    JsonNode summary = Json.MAPPER.readTree(run.runDir().resolve("summary.json").toFile());
    assertEquals(java.util.Set.of("accuracy"), run.metrics().keySet());
    assertEquals(summary.path("accuracy").asDouble(), run.metrics().get("accuracy"));
    // A completed run resumed with no more steps: nothing to do, the run as it is.
    TrainedRun same = Trainer.builder().option("--resume", run.runDir().toString()).build()
        .fit();
    assertEquals("completed", same.status());
    assertEquals(run.metrics(), same.metrics());
    assertEquals(run.loss(), same.loss());
    assertEquals(summary.path("loss").asDouble(), run.loss());
    assertEquals(2, run.classes());
    double[][] p = run.predict(new double[][] {{-3.0}, {3.0}});
    assertEquals(1.0, p[0][0] + p[0][1], 1e-12);
    assertTrue(p[0][0] > 0.5 && p[1][1] > 0.5, java.util.Arrays.deepToString(p));
    assertEquals("row 0 has 2 value(s); the model reads 1 (x)", assertThrows(
        IllegalArgumentException.class, () -> run.predict(new double[][] {{1, 2}})).getMessage());
  }

  /**
   * A run stopped early by its own rule is a result, as Keras' {@code fit} returns after
   * {@code EarlyStopping}: no exception (it threw before, found by a new-user round), the status
   * says so, and the parameters are the checkpoint's (the best epoch's with --restore-best).
   */
  @Test
  void aRunStoppedEarlyByItsRuleIsAResult() throws Exception {
    Path run = dir.resolve("early");
    // No improvement ever reaches --min-delta, so patience 1 stops after epoch 1.
    TrainedRun early = Trainer.builder().option("--batch-size", "100").option("--epochs", "20")
        .option("--validation-split", "0.2").option("--early-stopping-patience", "1")
        .option("--min-delta", "1000").flag("--restore-best").runDir(run).build().fit();
    assertEquals("stopped_early", early.status());
    JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
    assertEquals("stopped_early", summary.path("status").asText());
    // 800 training samples in batches of 100: 8 steps an epoch. Epoch 1 is the best (the first
    // always is), epoch 2 does not improve by 1000, so the run stops there and restores the
    // parameters of epoch 1's last step (step 7), as steps.jsonl recorded them.
    assertEquals(16, early.steps());
    JsonNode step7 = Json.MAPPER.readTree(Files.readAllLines(run.resolve("steps.jsonl")).get(7));
    assertEquals(7, step7.path("step").asInt());
    assertEquals(step7.path("params").path("w").asDouble(), early.parameters().get("w")[0]);
    assertEquals(step7.path("params").path("b").asDouble(), early.parameters().get("b")[0]);
    // Resumed with more epochs it has nothing to do (the command line exits 0): the same run
    // again, not a failure (a review found "failed … the run did not train", exit code 0).
    TrainedRun again = Trainer.builder().option("--resume", run.toString())
        .option("--epochs", "40").build().fit();
    assertEquals("stopped_early", again.status());
    assertEquals(16, again.steps());
    assertArrayEquals(early.parameters().get("w"), again.parameters().get("w"));
    assertEquals(early.loss(), again.loss());
  }

  /** A typed setter called again sets again (it said "--steps should be specified only once"). */
  @Test
  void aSetterCalledAgainReplacesItsValue() throws Exception {
    Trainer trainer = Trainer.builder().model(new OwnLine("replaced", null)).steps(30)
        .learningRate(0.5).model("linear").steps(3).learningRate(0.1).runDir(dir.resolve("a"))
        .runDir(dir.resolve("again")).option("--l2", "0.5").build();
    assertEquals(List.of("--model", "linear", "--steps", "3", "--learning-rate", "0.1",
        "--run-dir", dir.resolve("again").toString(), "--l2", "0.5"), trainer.commandLine());
    TrainedRun run = trainer.fit();
    assertEquals(3, run.steps());
    assertTrue(Files.exists(dir.resolve("again").resolve("summary.json")));
    assertFalse(Files.exists(dir.resolve("a")));
  }

  /** Keras' on_epoch_end: every epoch, in order, with the numbers epochs.jsonl records. */
  @Test
  void anEpochListenerIsToldEveryEpochWithItsTrainingAndValidationNumbers() throws Exception {
    Path run = dir.resolve("epochs");
    List<TrainingEpoch> epochs = new ArrayList<>();
    Trainer.builder().model("logistic").option("--batch-size", "100").option("--epochs", "3")
        .option("--validation-split", "0.2").runDir(run).onEpoch(epochs::add)
        .onEpoch(epochs::add).build().fit();
    List<String> lines = Files.readAllLines(run.resolve("epochs.jsonl"));
    assertEquals(3, lines.size());
    assertEquals(3, epochs.size(), "told once an epoch (the second onEpoch replaces the first)");
    for (int k = 0; k < 3; k++) {
      JsonNode line = Json.MAPPER.readTree(lines.get(k));
      TrainingEpoch e = epochs.get(k);
      assertEquals(k + 1, e.epoch());
      assertEquals(3, e.epochs());
      assertEquals(8L * (k + 1), e.steps(), "800 training samples, batches of 100");
      assertEquals(line.path("loss").asDouble(), e.loss());
      assertEquals(Map.of("accuracy", line.path("accuracy").asDouble()), e.metrics());
      assertEquals(line.path("val_loss").asDouble(), e.valLoss());
      assertEquals(Map.of("accuracy", line.path("val_accuracy").asDouble()), e.valMetrics());
    }
    // Without a validation set: NaN and no metrics.
    List<TrainingEpoch> plain = new ArrayList<>();
    Trainer.builder().option("--batch-size", "200").option("--epochs", "1")
        .runDir(dir.resolve("plain")).onEpoch(plain::add).build().fit();
    assertEquals(1, plain.size());
    assertTrue(Double.isNaN(plain.get(0).valLoss()));
    assertEquals(Map.of(), plain.get(0).valMetrics());
    // A listener that throws does not stop training.
    TrainedRun survived = Trainer.builder().option("--batch-size", "200").option("--epochs", "2")
        .runDir(dir.resolve("throwing")).onEpoch(e -> {
          throw new IllegalStateException("listener bug");
        }).build().fit();
    assertEquals("completed", survived.status());
  }

  @Test
  void aDivergingRunThrowsWithItsStatus() throws Exception {
    TrainingFailedException e = assertThrows(TrainingFailedException.class,
        () -> Trainer.builder().learningRate(1e6).steps(50).runDir(dir.resolve("nan")).build()
            .fit());
    assertEquals("diverged", e.status());
    assertEquals(3, e.exitCode());
  }

  @Test
  void aBadOptionThrowsTheCommandLinesLineAndMakesNoRunDirectory() {
    Path run = dir.resolve("bad");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().learningRate(-1).runDir(run).build().fit());
    assertEquals("--learning-rate must be a finite number > 0, got -1.0", e.getMessage());
    assertFalse(Files.exists(run));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().option("--lerning-rate", "1").runDir(run).build().fit());
    assertEquals("unknown option '--lerning-rate'", unknown.getMessage());
  }
}
