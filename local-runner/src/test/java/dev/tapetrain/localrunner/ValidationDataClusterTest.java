package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code --validation-data} and {@code --class-weight} across worker JVMs: the dataset
 * description the coordinator sends carries the validation file and the model spec the class
 * weights, so two worker JVMs reach every epoch line and parameter of local-runner on the same
 * job bit for bit (issue 26). Every process is killed after the test.
 */
class ValidationDataClusterTest extends ProcessTestBase {

  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  @Test
  void validationDataAndClassWeightsReachWorkerJvms() throws Exception {
    Path train = dir.resolve("train.csv");
    Path val = dir.resolve("val.csv");
    StringBuilder t = new StringBuilder("a,b,label\n");
    StringBuilder v = new StringBuilder("a,b,label\n");
    java.util.Random rnd = new java.util.Random(31);
    for (int i = 0; i < 900; i++) {
      double a = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      double s = a - 0.5 * b + 0.4 * rnd.nextGaussian();
      (i < 700 ? t : v).append(a).append(',').append(b).append(',')
          .append(s < -0.3 ? 0 : s < 1.2 ? 1 : 2).append('\n');
    }
    Files.writeString(train, t);
    Files.writeString(val, v);
    String[] job = {"--model", "softmax", "--data", train.toString(), "--features", "a,b",
        "--target", "label", "--learning-rate", "0.3", "--batch-size", "50", "--epochs", "3",
        "--validation-data", val.toString(), "--class-weight", "balanced", "--chunk-size",
        "64"};
    Path local = dir.resolve("local");
    Runs.Result r = Runs.run(concat(job, "--workers", "1", "--run-dir", local.toString()));
    assertEquals(0, r.exitCode(), r.err());

    int port = Processes.freePort();
    Path run = dir.resolve("cluster");
    Process coordinator = processes.coordinator("coordinator", concat(job, "--port", "" + port,
        "--workers", "2", "--run-dir", run.toString()));
    processes.worker("w1", port);
    processes.worker("w2", port);
    assertEquals(0, Processes.exitCode(coordinator, RUN_TIMEOUT), processes.stderr("coordinator"));

    assertEquals(Files.readAllLines(local.resolve("epochs.jsonl")),
        Files.readAllLines(run.resolve("epochs.jsonl")), "every epoch line, bit for bit");
    assertEquals(Runs.summary(local).get("params"), Runs.summary(run).get("params"));
    assertEquals(Runs.summary(local).get("val_loss"), Runs.summary(run).get("val_loss"));
  }
}
