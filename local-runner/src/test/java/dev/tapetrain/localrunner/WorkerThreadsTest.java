package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.worker.shard.EvaluationThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --worker-threads}: every logged loss and parameter (the digest chained over every loss,
 * parameter and gradient bit) is the same for 1, 2 and 3 threads per worker, compiled and eager,
 * full batch and mini-batches, on the heap and in the column cache; bad values are refused in
 * one line.
 */
class WorkerThreadsTest {

  @TempDir
  Path dir;

  private static final String COMPILE_AFTER = "tapetrain.compileAfterSamples";

  /** 20 000 samples of 3 features in 29 chunks: each worker's share spans several blocks. */
  private static final List<String> DATA = List.of("--true-w", "1.5,-0.7,0.4", "--examples",
      "20000", "--chunk-size", "700", "--learning-rate", "0.3");

  private List<Runs.Step> train(String name, List<String> job, int threads) throws IOException {
    Path run = dir.resolve(name + "-" + threads);
    List<String> args = new ArrayList<>(DATA);
    args.addAll(job);
    args.addAll(List.of("--worker-threads", "" + threads, "--run-dir", run.toString()));
    Runs.Result r = Runs.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return Runs.steps(run);
  }

  private void assertSameStepsOnAnyThreads(String name, List<String> job) throws IOException {
    List<Runs.Step> one = train(name, job, 1);
    assertTrue(one.size() >= 4, name + ": " + one);
    // Each worker says when it evaluates on a pool: count them, so this fails if the option
    // never reached the workers.
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(EvaluationThreads.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> pools =
        new ch.qos.logback.core.read.ListAppender<>();
    pools.start();
    log.addAppender(pools);
    ch.qos.logback.classic.Level level = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      int workers = Integer.parseInt(job.get(job.indexOf("--workers") + 1));
      for (int threads : new int[] {2, 3}) {
        pools.list.clear();
        assertEquals(one, train(name, job, threads), name + ", " + threads + " worker threads");
        assertEquals(workers, pools.list.stream().filter(e -> e.getFormattedMessage()
            .endsWith("evaluates its rounds on " + threads + " threads")).count(),
            "every worker has its pool: " + pools.list);
      }
    } finally {
      log.detachAppender(pools);
      log.setLevel(level);
    }
  }

  private void withCompileAfter(String samples, IoRunnable body) throws IOException {
    try {
      System.setProperty(COMPILE_AFTER, samples);
      body.run();
    } finally {
      System.clearProperty(COMPILE_AFTER);
    }
  }

  @FunctionalInterface
  private interface IoRunnable {
    void run() throws IOException;
  }

  @Test
  void compiledStepsAreBitIdenticalForOneToThreeWorkerThreads() throws IOException {
    withCompileAfter("0", () -> {
      assertSameStepsOnAnyThreads("softmax", List.of("--model", "softmax", "--classes", "3",
          "--workers", "2", "--steps", "5"));
      assertSameStepsOnAnyThreads("mlp-batches", List.of("--model", "mlp", "--hidden", "4",
          "--workers", "1", "--batch-size", "3000", "--epochs", "1"));
      assertSameStepsOnAnyThreads("linear-cache", List.of("--workers", "1", "--steps", "5",
          "--cache", "on", "--cache-dir", dir.resolve("cache").toString()));
    });
  }

  @Test
  void eagerStepsAreBitIdenticalForOneToThreeWorkerThreads() throws IOException {
    withCompileAfter("" + Long.MAX_VALUE, () -> {
      assertSameStepsOnAnyThreads("logistic", List.of("--model", "logistic", "--workers", "1",
          "--steps", "4"));
      assertSameStepsOnAnyThreads("softmax-batches-cache", List.of("--model", "softmax",
          "--classes", "3", "--workers", "2", "--batch-size", "4000", "--epochs", "1",
          "--cache", "on", "--cache-dir", dir.resolve("cache").toString()));
    });
  }

  @Test
  void badWorkerThreadsAreRefusedInOneLine() {
    Path run = dir.resolve("refused");
    Runs.assertRefused(Runs.run("--worker-threads", "0", "--run-dir", run.toString()),
        "--worker-threads must be between 1 and 256, got 0", run);
    Runs.assertRefused(Runs.run("--worker-threads", "-3", "--run-dir", run.toString()),
        "--worker-threads must be between 1 and 256, got -3", run);
    Runs.assertRefused(Runs.run("--worker-threads", "many", "--run-dir", run.toString()),
        "--worker-threads must be a whole number between 1 and 256, got 'many'", run);
  }
}
