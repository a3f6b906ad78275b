package dev.tapetrain.localrunner.trained;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.LegacyConfig;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.ProtoCodec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.tape.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model a run trained: the model code rebuilt from the run's {@code config.json} (name,
 * classes, hidden units, seed, features) and the parameter values of its last checkpoint, bit
 * for bit (a completed run writes its final checkpoint at its last step).
 *
 * @param runDir         the run directory
 * @param name           the model's name ({@code linear}, {@code mlp}, a user's own …)
 * @param model          the model code, as the workers built it
 * @param params         the trained values, in the model's parameter order
 * @param step           how many steps trained them
 * @param status         the run's status from summary.json ({@code completed}, {@code running} …;
 *                       for a run nobody holds that says running: {@code interrupted (…)})
 * @param featureColumns the input columns, in the order the model reads them
 * @param targetColumn   the target column of the training data
 */
public record TrainedModel(Path runDir, String name, Model model, List<NamedTensor> params,
    long step, String status, List<String> featureColumns, String targetColumn) {

  /** Copies the lists. */
  public TrainedModel {
    params = List.copyOf(params);
    featureColumns = List.copyOf(featureColumns);
  }

  /**
   * Reads the run in {@code runDir}.
   *
   * @throws UserError naming the file and the problem if it is not a run with a checkpoint, or
   *     its model is not on this class path
   */
  public static TrainedModel load(Path runDir) {
    return load(runDir, null);
  }

  /**
   * Reads the run in {@code runDir} with the parameters {@code which} names: {@code best} (the
   * best epoch's, kept by {@code --restore-best}), {@code last} (after the last update), or
   * null for the run's final ones (the best after {@code --restore-best}, else the last).
   *
   * @throws UserError as {@link #load(Path)}, for another {@code which}, or for {@code best} of
   *     a run that kept no best parameters
   */
  public static TrainedModel load(Path runDir, String which) {
    if (which != null && !which.equals("best") && !which.equals("last")) {
      throw new UserError("--params must be best or last, got '" + which + "'");
    }
    JsonNode config = readJson(runDir, RunDirectory.CONFIG);
    Checkpoints.Loaded checkpoint = Checkpoints.read(runDir.resolve(Checkpoints.FILE));
    ModelSpec spec;
    DatasetSpec.Source data;
    if (checkpoint.numbers() != null) {
      // The checkpoint's own numbers: the model exactly as the workers built it.
      spec = RunSpec.modelOf(checkpoint.numbers());
      data = ProtoCodec.fromProto(checkpoint.numbers().getDataset()).source();
    } else {
      spec = LegacyConfig.model(config.path("options"));
      data = LegacyConfig.dataset(config).source();
    }
    String name = spec.name();
    List<String> features = data.columns();
    Model model;
    try {
      model = Models.create(name, features.size(), spec.classes(), spec.seed(),
          spec.settings());
    } catch (UserError e) {
      throw new UserError(runDir.resolve(RunDirectory.CONFIG) + ": cannot rebuild model '" + name
          + "': " + e.getMessage().replaceFirst("^--model: ", ""));
    }
    List<NamedTensor> params = checkpoint.state().params();
    if ("best".equals(which)) {
      params = checkpoint.state().bestParams();
      if (params.isEmpty()) {
        throw new UserError("--params best: run " + runDir + " kept no best parameters (they "
            + "are kept by training with --validation-split and --restore-best)");
      }
    } else if ("last".equals(which) && !checkpoint.state().lastParams().isEmpty()) {
      params = checkpoint.state().lastParams();
    }
    List<Parameter> expected = model.parameters();
    if (params.size() != expected.size()) {
      throw new UserError(runDir.resolve(Checkpoints.FILE) + ": has " + params.size()
          + " parameter(s), model '" + name + "' has " + expected.size());
    }
    for (int i = 0; i < params.size(); i++) {
      NamedTensor p = params.get(i);
      Parameter e = expected.get(i);
      if (!p.name().equals(e.name()) || !Arrays.equals(p.shape(), e.shape())) {
        throw new UserError(runDir.resolve(Checkpoints.FILE) + ": parameter " + p.name()
            + Arrays.toString(p.shape()) + " does not fit model '" + name + "' (expects "
            + e.name() + Arrays.toString(e.shape()) + ")");
      }
    }
    JsonNode summary = readJsonOrNull(runDir, RunDirectory.SUMMARY);
    // A run that says "running" while nobody holds it was killed: say so, and how to go on.
    String status = summary != null ? RunFiles.status(runDir, summary).describe() : "unknown";
    return new TrainedModel(runDir, name, model, params, checkpoint.state().steps(), status,
        features, data.target());
  }

  /**
   * For a run that did not finish (still running, failed, diverged, interrupted): what the
   * parameters are, for a note on stderr; null for a completed, converged or stopped-early run.
   */
  public String unfinished() {
    return "completed".equals(status) || "converged".equals(status)
        || "stopped_early".equals(status) ? null
        : "run " + runDir + " is " + status + "; using its checkpoint after step " + step;
  }

  /** The number of classes (0 for a regression); see {@link Model#classes()}. */
  public int classes() {
    return model.classes();
  }

  /** The number of input features. */
  public int features() {
    return featureColumns.size();
  }

  /** The trained values by name, as tensors the model's code takes. */
  public Map<String, Tensor> tensors() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (NamedTensor p : params) {
      m.put(p.name(), shaped(p));
    }
    return m;
  }

  private static Tensor shaped(NamedTensor p) {
    int[] s = p.shape();
    return switch (s.length) {
      case 0 -> Tensor.scalar(p.values()[0]);
      case 1 -> Tensor.vector(p.values());
      case 2 -> Tensor.matrix(s[0], s[1], p.values());
      default -> throw new UserError("parameter " + p.name() + " has rank " + s.length
          + "; only scalars, vectors and matrices are supported");
    };
  }

  /**
   * Scores {@code n} rows of {@code x} (row-major {@code [n, features]}) with the model's own
   * forward pass ({@link Model#predict}).
   */
  public Scores score(double[] x, int n) {
    Tensor input = rows(x, n);
    Tensor out = model.predict(tensors(), input);
    int k = classes();
    if (k == 0) {
      return new Scores(n, 0, out.toArray(), null, regressionWidth(out.shape(), n));
    }
    double[] probs;
    if (k == 2 && out.rank() == 1) {
      probs = new double[2 * n];
      for (int i = 0; i < n; i++) {
        double p1 = out.get(i);
        probs[2 * i] = 1 - p1;
        probs[2 * i + 1] = p1;
      }
    } else {
      probs = out.toArray();
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      if (k == 2 && out.rank() == 1) {
        best = out.get(i) > 0.5 ? 1 : 0;
      } else {
        for (int j = 1; j < k; j++) {
          if (probs[i * k + j] > probs[i * k + best]) {
            best = j;
          }
        }
      }
      labels[i] = best;
    }
    return new Scores(n, k, probs, labels, k);
  }

  /**
   * How many values a regression predicts per row: 1 for a prediction {@code [n]} or
   * {@code [n, 1]}, k for {@code [n, k]} (as Keras' {@code predict} returns {@code (n, k)}); K for
   * a classifier. Found by scoring one row of zeros, so an output can name its columns before
   * the first row is read.
   *
   * @throws UserError if the model's prediction is not {@code [n]} or {@code [n, k]}
   */
  public int outputs() {
    return classes() > 0 ? classes() : score(new double[features()], 1).width();
  }

  /** A regression's values per row, or one line naming the shape predict cannot write. */
  private int regressionWidth(int[] shape, int n) {
    if (shape.length == 1 && shape[0] == n) {
      return 1;
    }
    if (shape.length == 2 && shape[0] == n && shape[1] >= 1) {
      return shape[1];
    }
    throw new UserError("model '" + name + "' predicted shape " + Arrays.toString(shape)
        + " for " + n + " row(s); predict writes a prediction of shape [n] or [n, k]");
  }

  /**
   * The model's loss summed over {@code n} rows with targets {@code y}, as training computes it
   * ({@link Model#lossSum}; without an L2 term, which belongs to the optimizer's objective).
   */
  public double lossSum(double[] x, double[] y, int n) {
    return model.lossSum(tensors(), rows(x, n),
        Tensor.vector(Arrays.copyOf(y, n))).item();
  }

  private Tensor rows(double[] x, int n) {
    int size = n * features();
    return Tensor.viewMatrix(n, features(), x.length == size ? x : Arrays.copyOf(x, size));
  }

  /**
   * Scores of a block of rows.
   *
   * @param rows    how many
   * @param classes 0 for a regression, else K
   * @param values  predictions {@code [rows, width]} of a regression, or probabilities
   *                {@code [rows, K]}, row-major
   * @param labels  the most probable class of each row (null for a regression)
   * @param width   values per row: 1 or k for a regression ({@link #outputs()}), K for a classifier
   */
  public record Scores(int rows, int classes, double[] values, int[] labels, int width) {}

  private static JsonNode readJson(Path dir, String file) {
    JsonNode node = readJsonOrNull(dir, file);
    if (node == null) {
      throw new UserError(dir + ": not a run directory (no " + file + ")");
    }
    return node;
  }

  private static JsonNode readJsonOrNull(Path dir, String file) {
    Path p = dir.resolve(file);
    try {
      return Json.MAPPER.readTree(Files.readString(p));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UserError(p + ": cannot read: " + dev.tapetrain.node.cli.Cli.describe(e));
    }
  }
}
