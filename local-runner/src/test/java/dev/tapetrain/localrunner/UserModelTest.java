package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelGradients;
import dev.tapetrain.models.Models;
import dev.tapetrain.tape.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A user's own model ({@code com.example.HuberRegression}, exactly the README's example):
 * found by name in one JVM (registered in this module's test {@code META-INF/services}) and, as
 * a jar of its own, in coordinator and worker JVMs; trained like a plain loop of the same math,
 * the same bits everywhere; a worker without it is refused with the reason on both sides.
 */
class UserModelTest extends ProcessTestBase {

  private static final int N = 400;
  private static final double LR = 0.1;
  private static final int STEPS = 80;

  private double[] xs;
  private double[] ys;

  /** y = 2x + 1 + noise, with every 20th target an outlier of +40. */
  private Path data() throws Exception {
    Random rnd = new Random(17);
    xs = new double[N];
    ys = new double[N];
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < N; i++) {
      xs[i] = rnd.nextGaussian();
      ys[i] = 2 * xs[i] + 1 + 0.3 * rnd.nextGaussian() + (i % 20 == 0 ? 40 : 0);
      csv.append(xs[i]).append(',').append(ys[i]).append('\n');
    }
    Path p = dir.resolve("outliers.csv");
    Files.writeString(p, csv);
    return p;
  }

  @Test
  void theReadmeShowsThisExampleVerbatim() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String source = Files.readString(Path.of("src", "test", "java", "com", "example",
        "HuberRegression.java"));
    assertTrue(readme.contains(source.strip()), "README.md must show "
        + "local-runner/src/test/java/com/example/HuberRegression.java verbatim");
    // The benchmarks time a copy of it (CompiledModelBenchmark's job h): the same class body.
    String copy = Files.readString(Path.of("..", "benchmarks", "src", "main", "java", "dev",
        "tapetrain", "benchmarks", "ReadmeHuber.java"));
    String body = source.substring(source.indexOf("implements ModelFactory {"));
    assertTrue(copy.contains(body.strip()), "benchmarks' ReadmeHuber must be the README's model");
  }

  /**
   * Issue 27: the README's model compiles into one loop (its mask is a comparison, the
   * derivative of {@code abs} a sign), and the loop's sums are the eager tape's, bit for bit.
   */
  @Test
  void theReadmeModelCompilesToTheEagerTapesBits() throws Exception {
    Model huber = Models.create("huber", 1, 0, 42, Map.of("delta", "0.5"));
    // Errors 0, ±0.5 (the boundary), inside and beyond it at w = 2, b = 1.
    double[] x = {0.0, 1.0, -2.0, 0.25, 3.0, -0.5, 1.5, 2.0, -1.0, 0.75};
    double[] y = {1.0, 3.5, -3.5, 1.0, 9.0, -0.25, 4.0, 4.9, -1.0, 2.5};
    List<double[]> values = List.of(new double[] {2.0}, new double[] {1.0});
    CompiledModel compiled = CompiledModel.compile(huber, new double[][] {x}, y, values, true);
    double[] sums = new double[3];
    compiled.segmentSums(new double[][] {x}, y, 0, new int[] {x.length}, values, sums);
    ModelGradients.Sums eager = ModelGradients.of(huber, values, Tensor.matrix(x.length, 1, x),
        Tensor.vector(y));
    double[] expected = {eager.lossSum(), eager.gradients().get(0)[0],
        eager.gradients().get(1)[0]};
    for (int k = 0; k < 3; k++) {
      assertEquals(Double.doubleToRawLongBits(expected[k]), Double.doubleToRawLongBits(sums[k]),
          "sum " + k + ": eager " + expected[k] + ", compiled " + sums[k]);
    }
    // And against the math: loss ½e² within delta, delta(|e| − ½delta) beyond; gradient
    // e or delta·sign(e), times x for w.
    double loss = 0;
    double gw = 0;
    double gb = 0;
    for (int i = 0; i < x.length; i++) {
      double e = 2.0 * x[i] + 1.0 - y[i];
      boolean small = Math.abs(e) <= 0.5;
      loss += small ? 0.5 * e * e : 0.5 * (Math.abs(e) - 0.25);
      double g = small ? e : 0.5 * Math.signum(e);
      gw += g * x[i];
      gb += g;
    }
    assertEquals(loss, sums[0], 1e-12);
    assertEquals(gw, sums[1], 1e-12);
    assertEquals(gb, sums[2], 1e-12);
  }

  @Test
  void aUserModelTrainsLikeAPlainLoopInOneJvmAndAcrossJvmsToTheSameBits() throws Exception {
    Path csv = data();
    String[] job = {"--model", "huber", "--data", csv.toString(), "--steps", "" + STEPS,
        "--learning-rate", "" + LR};
    Path local = dir.resolve("local");
    Runs.Result r = Runs.run(concat(job, "--workers", "3", "--run-dir", local.toString()));
    assertEquals(0, r.exitCode(), r.err());

    // The same math as a plain loop: mean Huber loss, gradient clip(e, −1, 1).
    double w = 0;
    double b = 0;
    for (int s = 0; s < STEPS; s++) {
      double gw = 0;
      double gb = 0;
      for (int i = 0; i < N; i++) {
        double e = w * xs[i] + b - ys[i];
        double g = Math.max(-1, Math.min(1, e));
        gw += g * xs[i] / N;
        gb += g / N;
      }
      w -= LR * gw;
      b -= LR * gb;
    }
    JsonNode params = Runs.summary(local).get("params");
    assertEquals(w, Json.number(params.get("w").get(0)), 1e-12 * Math.abs(w));
    assertEquals(b, Json.number(params.get("b")), 1e-12 * Math.abs(b));
    assertTrue(Math.abs(w - 2) < 0.2, "the outliers did not drag the slope: " + w);
    // A one-element parameter is shown as its value (its sign matters), not as a norm: on the
    // console and in inspect, as the built-in linear model's W is (it was "w [1]: norm 2.0").
    assertTrue(r.out().contains("\nw [1] = " + w + "\nb [] = " + b + "\n"), r.out());
    Runs.Result inspect = Runs.run("inspect", local.toString());
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(inspect.out().contains("w:              [1] = " + w + "\n"), inspect.out());

    // Across JVMs the model comes as a user ships it: a jar of its own, on each class path.
    Path jar = modelJar();
    processes.withoutClassPath("test-classes").withClassPath(jar.toString());
    int port = Processes.freePort();
    Path cluster = dir.resolve("cluster");
    Process coordinator = processes.coordinator("coordinator", concat(job, "--port", "" + port,
        "--workers", "2", "--run-dir", cluster.toString()));
    processes.worker("w1", port);
    processes.worker("w2", port);
    assertEquals(0, Processes.exitCode(coordinator, Duration.ofSeconds(120)),
        processes.stderr("coordinator"));
    assertEquals(Files.readAllLines(local.resolve("steps.jsonl")).stream()
        .map(UserModelTest::numbers).toList(),
        Files.readAllLines(cluster.resolve("steps.jsonl")).stream()
        .map(UserModelTest::numbers).toList(), "bit for bit across JVMs");
  }

  @Test
  void aWorkerWithoutTheModelIsRefusedWithTheReasonOnBothSides() throws Exception {
    Path csv = data();
    int port = Processes.freePort();
    Process coordinator = processes.coordinator("coordinator", "--model", "huber", "--data",
        csv.toString(), "--steps", "20000", "--log-every", "1000", "--port", "" + port,
        "--workers", "1", "--run-dir", dir.resolve("run").toString());
    processes.worker("w1", port);
    Processes.await("training", Duration.ofSeconds(60),
        () -> processes.stdoutQuietly("coordinator").contains("Initial loss"));
    Process without = processes.withoutClassPath("test-classes").worker("w2", port);
    assertEquals(1, Processes.exitCode(without, Duration.ofSeconds(60)));
    String err = processes.stderr("w2");
    assertTrue(err.contains("refused by the coordinator: it cannot take part: --model: unknown "
        + "model 'huber' (available: linear, logistic, softmax, mlp)"), err);
    assertEquals(0, Processes.exitCode(coordinator, Duration.ofSeconds(120)),
        processes.stderr("coordinator"));
    assertTrue(processes.stderr("coordinator").contains("unknown model 'huber'"),
        processes.stderr("coordinator"));
  }

  /**
   * With {@code --workers 1} a worker without the model used to end the run at once: now the
   * coordinator says why it was refused and waits for another worker, and one with the model's
   * jar trains the run to the bits of a run it was in from the start.
   */
  @Test
  void aCoordinatorWhoseOnlyWorkerLacksTheModelWaitsForOneThatHasIt() throws Exception {
    Path csv = data();
    String[] job = {"--model", "huber", "--data", csv.toString(), "--steps", "" + STEPS,
        "--learning-rate", "" + LR};
    Path local = dir.resolve("local");
    Runs.Result r = Runs.run(concat(job, "--workers", "1", "--run-dir", local.toString()));
    assertEquals(0, r.exitCode(), r.err());

    Path jar = modelJar();
    processes.withoutClassPath("test-classes").withClassPath(jar.toString());
    int port = Processes.freePort();
    Path cluster = dir.resolve("cluster");
    Process coordinator = processes.coordinator("coordinator", concat(job, "--port", "" + port,
        "--workers", "1", "--run-dir", cluster.toString()));
    Process without = processes.withClassPath(null).worker("w1", port);
    assertEquals(1, Processes.exitCode(without, Duration.ofSeconds(60)),
        processes.stderr("w1"));
    assertTrue(processes.stderr("w1").contains("it cannot take part: --model: unknown model "
        + "'huber'"), processes.stderr("w1"));
    Processes.await("the coordinator waits again", Duration.ofSeconds(30),
        () -> stderrQuietly("coordinator").contains("; waiting up to 120 s for another worker "
            + "to join (--wait-timeout)"));
    String waiting = stderrQuietly("coordinator").lines()
        .filter(l -> l.startsWith("tapetrain: no worker left while loading (")).findFirst()
        .orElseThrow();
    assertTrue(waiting.contains(" it cannot take part: --model: unknown model 'huber'"), waiting);
    processes.withClassPath(jar.toString()).worker("w2", port);
    assertEquals(0, Processes.exitCode(coordinator, Duration.ofSeconds(120)),
        processes.stderr("coordinator"));
    assertEquals(Files.readAllLines(local.resolve("steps.jsonl")).stream()
        .map(UserModelTest::numbers).toList(),
        Files.readAllLines(cluster.resolve("steps.jsonl")).stream()
        .map(UserModelTest::numbers).toList(), "the bits of a run w2 was in from the start");
    assertEquals(1, Runs.summary(cluster).get("workers").asInt());
  }

  private String stderrQuietly(String name) {
    try {
      return processes.stderr(name);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** huber.jar: the example's classes and its one-line service registration. */
  private Path modelJar() throws Exception {
    Path jar = dir.resolve("huber.jar");
    Path classes = Path.of("target", "test-classes", "com", "example");
    try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(
        Files.newOutputStream(jar))) {
      try (var files = Files.list(classes)) {
        for (Path f : files.filter(f -> f.getFileName().toString()
            .startsWith("HuberRegression")).toList()) {
          out.putNextEntry(new java.util.jar.JarEntry("com/example/" + f.getFileName()));
          out.write(Files.readAllBytes(f));
          out.closeEntry();
        }
      }
      out.putNextEntry(new java.util.jar.JarEntry(
          "META-INF/services/dev.tapetrain.models.ModelFactory"));
      out.write("com.example.HuberRegression\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  /** A steps.jsonl line without its timings and worker table. */
  private static String numbers(String line) {
    return line.replaceAll(",\"step_ms\":.*", "");
  }
}
