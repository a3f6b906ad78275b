package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.worker.shard.ShardEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * The matrix models compiled from their first step keep {@link GoldenDigestsTest}'s bits: the
 * same jobs, the same digests (every loss, parameter and gradient bit of every step), with every
 * worker running the compiled loop instead of the eager tape.
 */
class CompiledGoldenDigestsTest {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "linear-3-features | --steps 30 --true-w 1,-2,0.5 --init-w 0 | e6fd20c2acf0e70d",
      "softmax | --steps 30 --model softmax --classes 3 --true-w 1,2 --learning-rate 0.5 | 111be72028315836",
      "mlp-regression | --steps 30 --model mlp --hidden 8 --learning-rate 0.05 | d24bd6187969b4c0",
      "mlp-classes | --steps 30 --model mlp --hidden 6 --classes 3 --true-w 1,-1 --learning-rate 0.3 | 5e7bdd362ef1be31",
      "logistic | --steps 30 --model logistic --true-w 2,-1 --learning-rate 0.5 | 7117de1857e32955",
  })
  void compiledFromTheFirstStepEveryMatrixModelKeepsItsGoldenBits(String name, String options,
      String digest) throws Exception {
    assertEquals(digest, lastDigest(name, "0", options.trim().split(" +")), name);
  }

  @org.junit.jupiter.api.Test
  void compiledMiniBatchEpochsOfSoftmaxKeepTheEagerBits() throws Exception {
    String[] options = {"--model", "softmax", "--classes", "3", "--true-w", "1,2",
        "--learning-rate", "0.5", "--examples", "2000", "--batch-size", "96", "--epochs", "2",
        "--validation-split", "0.2"};
    assertEquals(lastDigest("eager", "" + Long.MAX_VALUE, options),
        lastDigest("compiled", "0", options));
  }

  /**
   * The accuracy of every step (not part of the digest) is the eager tape's when the compiled
   * loop counts it (issue 27): the same counts, so the same numbers.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "softmax | --steps 30 --model softmax --classes 3 --true-w 1,2 --learning-rate 0.5",
      "logistic | --steps 30 --model logistic --true-w 2,-1 --learning-rate 0.5",
  })
  void compiledAccuracyOfEveryStepIsTheEagerOne(String name, String options) throws Exception {
    String[] args = options.trim().split(" +");
    List<String> eager = accuracies(steps(name + "-eager", "" + Long.MAX_VALUE, args));
    assertEquals(eager, accuracies(steps(name + "-compiled", "0", args)));
    assertEquals(30, eager.size(), "an accuracy for every step: " + eager);
  }

  private static List<String> accuracies(List<JsonNode> steps) {
    return steps.stream().filter(s -> s.has("accuracy"))
        .map(s -> s.get("accuracy").asText()).toList();
  }

  /**
   * The digest after the last step of a run on 3 workers with {@code compileAfterSamples}, and
   * (unless never) that every worker logged that it runs the compiled loop.
   */
  private String lastDigest(String name, String compileAfterSamples, String... options)
      throws Exception {
    List<JsonNode> steps = steps(name, compileAfterSamples, options);
    return steps.get(steps.size() - 1).get("digest").asText();
  }

  /** The steps of a run on 3 workers, checked as {@link #lastDigest} says. */
  private List<JsonNode> steps(String name, String compileAfterSamples, String... options)
      throws Exception {
    String property = "tapetrain.compileAfterSamples";
    Logger log = (Logger) LoggerFactory.getLogger(ShardEvaluator.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    Level level = log.getLevel();
    log.setLevel(Level.INFO);
    try {
      System.setProperty(property, compileAfterSamples);
      Path run = dir.resolve(name);
      List<String> args = new java.util.ArrayList<>(List.of(options));
      args.addAll(List.of("--workers", "3", "--run-dir", run.toString()));
      Runs.Result r = Runs.run(args.toArray(String[]::new));
      assertEquals(0, r.exitCode(), r.err());
      long compiled = events.list.stream().filter(e -> e.getFormattedMessage()
          .startsWith("compiled the tape's loss and gradients")).count();
      assertEquals(compileAfterSamples.equals("0") ? 3 : 0, compiled,
          "workers running the compiled loop: " + events.list);
      List<JsonNode> steps = new java.util.ArrayList<>();
      for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
        steps.add(Json.MAPPER.readTree(line));
      }
      return steps;
    } finally {
      System.clearProperty(property);
      log.detachAppender(events);
      log.setLevel(level);
    }
  }
}
