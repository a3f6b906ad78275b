package dev.tapetrain.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.data.Chunk;
import dev.tapetrain.data.SampleGenerator;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Parameter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The model jobs of {@link PeerBenchmark} (D, E, F) as tapetrain runs them, written for the peers
 * so that every system trains the same model from the same data and the same initial
 * parameters: tapetrain's own synthetic samples ({@link SampleGenerator}, {@code --seed 42}) and
 * its own initial draws ({@link Models#create}), not numpy's. The peers then end at tapetrain's
 * loss up to rounding, which {@link PeerBenchmark} checks.
 *
 * <p>Files in a job's directory: {@code x.f64} (n × features, row-major) and {@code y.f64} (n),
 * little-endian doubles as {@code numpy.fromfile} reads them, and {@code job.json}: model, n,
 * features, classes (0: regression), learning rate, and the parameters in tapetrain's order with
 * their shapes and row-major values.
 *
 * @param model   the built-in model's name ({@code softmax} or {@code mlp})
 * @param trueW   the synthetic data's true weights, one per feature
 * @param classes labels' classes, 0 for a regression
 * @param hidden  the MLP's hidden units (ignored by softmax)
 * @param lr      the learning rate (plain SGD, full batch)
 */
record PeerData(String model, List<Double> trueW, int classes, int hidden, double lr) {

  /** The synthetic data's seed and the model's: local-runner's default {@code --seed}. */
  static final long SEED = 42;
  static final double TRUE_B = 2;
  static final double NOISE = 1;

  /** Job D: the built-in MLP on the tutorial's data, one feature, 16 tanh units. */
  static PeerData mlpOneFeature() {
    return new PeerData("mlp", List.of(3.0), 0, 16, 0.01);
  }

  /**
   * Job E: softmax over 50 features and 10 classes; the labels are the decile of
   * {@code sigmoid(s)} of a linear score with weights ±0.3 … ±0.6, so every class is populated.
   */
  static PeerData softmax50() {
    return new PeerData("softmax", weights(50), 10, 0, 0.1);
  }

  /** Job F: the MLP 10–32–1 (tanh), a regression. */
  static PeerData mlp10() {
    return new PeerData("mlp", weights(10), 0, 32, 0.01);
  }

  private static List<Double> weights(int features) {
    List<Double> w = new ArrayList<>();
    for (int i = 0; i < features; i++) {
      w.add((i % 2 == 0 ? 0.3 : -0.3) * (1 + (i % 5) / 4.0));
    }
    return w;
  }

  int features() {
    return trueW.size();
  }

  /** local-runner's options for this model and data (beside --examples, --steps, …). */
  List<String> options() {
    StringJoiner w = new StringJoiner(",");
    trueW.forEach(v -> w.add(Double.toString(v)));
    List<String> o = new ArrayList<>(List.of("--true-w", w.toString(), "--true-b",
        "" + TRUE_B, "--noise", "" + NOISE, "--seed", "" + SEED, "--learning-rate", "" + lr));
    if (classes > 0) {
      o.addAll(List.of("--classes", "" + classes));
    }
    if (model.equals("mlp")) {
      o.addAll(List.of("--hidden", "" + hidden));
    }
    return o;
  }

  /** Writes {@code n} samples and the initial parameters into {@code dir}; returns it. */
  Path write(Path dir, long n) throws IOException {
    Files.createDirectories(dir);
    Chunk data = SampleGenerator.generate(
        new SampleGenerator.Params(trueW, TRUE_B, NOISE, SEED, classes), 0, 0,
        Math.toIntExact(n));
    int f = features();
    ByteBuffer row = ByteBuffer.allocate(8 * f).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel x = open(dir.resolve("x.f64"))) {
      for (int i = 0; i < n; i++) {
        row.clear();
        for (int j = 0; j < f; j++) {
          row.putDouble(data.x()[j][i]);
        }
        x.write(row.flip());
      }
    }
    ByteBuffer ys = ByteBuffer.allocate(8 * (int) n).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : data.y()) {
      ys.putDouble(v);
    }
    try (FileChannel y = open(dir.resolve("y.f64"))) {
      y.write(ys.flip());
    }
    ObjectNode job = Json.object();
    job.put("model", model);
    job.put("n", n);
    job.put("features", f);
    job.put("classes", classes);
    job.put("learning_rate", lr);
    ArrayNode params = job.putArray("params");
    Map<String, String> settings = model.equals("mlp") ? Map.of("hidden", "" + hidden) : Map.of();
    for (Parameter p : Models.create(model, f, classes, SEED, settings).parameters()) {
      ObjectNode o = params.addObject();
      o.put("name", p.name());
      ArrayNode shape = o.putArray("shape");
      for (int s : p.shape()) {
        shape.add(s);
      }
      ArrayNode values = o.putArray("values");
      for (double v : p.initial()) {
        values.add(v);
      }
    }
    Json.MAPPER.writeValue(dir.resolve("job.json").toFile(), job);
    return dir;
  }

  private static FileChannel open(Path p) throws IOException {
    return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }
}
