package dev.tapetrain.localrunner.predict;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.TrainingState;
import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.run.StepReader;
import dev.tapetrain.localrunner.trained.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the run directory records about the parameters predict scores with, for its report: the
 * step they are from — for the best epoch's ({@code --params best}, or the default after
 * {@code --restore-best}) that epoch's last step, not the checkpoint's — and the {@code --l2}
 * penalty the run's own loss includes while predict's loss (the model's, as training computes
 * it) does not, so the two numbers are not mistaken for each other. {@code export} labels its
 * ONNX file's step with it too.
 *
 * @param step      the updates that made the scored parameters; -1 if the run does not record it
 * @param bestEpoch the best epoch whose parameters are scored, or 0 for the checkpoint's
 * @param l2        the run's {@code --l2} (0: none)
 * @param classWeighted whether the run's loss weighs rows by {@code --class-weight} (predict's
 *                  loss does not)
 */
public record ScoredParams(long step, long bestEpoch, double l2, boolean classWeighted) {

  /** Epochs' lines: one per epoch, with {@code epoch} and {@code steps} (updates at its end). */
  static final String EPOCHS = "epochs.jsonl";

  /** What {@code trained}'s run records for the parameters {@code which} chose (null: default). */
  public static ScoredParams of(TrainedModel trained, String which) {
    Path dir = trained.runDir();
    double l2 = l2(dir);
    boolean weighted = options(dir).has("class_weight");
    TrainingState state = Checkpoints.read(dir.resolve(Checkpoints.FILE)).state();
    // TrainedModel takes the best parameters for "best", and by default when --restore-best put
    // them in place of the last ones (which it then kept as lastParams).
    boolean best = "best".equals(which) || which == null && !state.lastParams().isEmpty();
    List<Double> rule = state.earlyStopping(); // [best, wait, best epoch] (EarlyStopping)
    if (!best) {
      return new ScoredParams(trained.step(), 0, l2, weighted);
    }
    if (rule.size() < 3) {
      return new ScoredParams(-1, -1, l2, weighted);
    }
    long epoch = (long) (double) rule.get(2);
    try (StepReader reader = StepReader.from(dir.resolve(EPOCHS), 0, false)) {
      for (JsonNode line = reader.next(); line != null; line = reader.next()) {
        if (line.path("epoch").asLong() == epoch && line.has("steps")) {
          return new ScoredParams(line.get("steps").asLong(), epoch, l2, weighted);
        }
      }
    }
    return new ScoredParams(-1, epoch, l2, weighted);
  }

  /** The run's {@code --l2} from its config.json (0 if it records none). */
  private static double l2(Path dir) {
    return options(dir).path("l2").asDouble(0);
  }

  /** The options config.json records (empty if it cannot be read). */
  private static JsonNode options(Path dir) {
    try {
      return Json.MAPPER.readTree(Files.readString(dir.resolve(RunDirectory.CONFIG)))
          .path("options");
    } catch (IOException e) {
      // TrainedModel.load read it a moment ago; nothing to add to its report then.
      return Json.MAPPER.createObjectNode();
    }
  }

  /** Where the parameters are from, e.g. {@code step 72} or {@code step 48, the best epoch 8}. */
  public String describe() {
    if (bestEpoch == 0) {
      return "step " + step;
    }
    String epoch = bestEpoch > 0 ? "the best epoch " + bestEpoch : "the best epoch";
    return step >= 0 ? "step " + step + ", end of " + epoch : epoch + "'s parameters";
  }

  /**
   * What the loss line adds after its own note: the penalty it leaves out, the class weights it
   * does not apply, or nothing.
   */
  String lossNote() {
    return (l2 > 0 ? "; without the --l2 " + l2 + " penalty the run's loss includes" : "")
        + (classWeighted ? "; each row weighing 1, where the run's loss weighs rows by "
            + "--class-weight" : "");
  }
}
