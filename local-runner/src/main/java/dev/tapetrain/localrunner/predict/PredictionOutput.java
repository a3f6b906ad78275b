package dev.tapetrain.localrunner.predict;

import dev.tapetrain.localrunner.trained.TrainedModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where predict's rows go: CSV ({@link CsvPredictions}) or Parquet ({@link ParquetPredictions}),
 * with the same columns in both: the kept input columns, then {@code prediction} (or
 * {@code prediction_0..k-1}) for a regression, or {@code label} and {@code probability_0..K-1}
 * for a classifier.
 *
 * <p>Usage: {@link #start} once, {@link #write} per block of scored rows, {@link #finish}.
 */
interface PredictionOutput {

  /**
   * The prediction columns' names for a model of {@code classes} classes (0: a regression) that
   * predicts {@code outputs} values per row: {@code prediction} for one value (a regression's
   * {@code [n]} or {@code [n, 1]}), {@code prediction_0..k-1} for a regression's {@code [n, k]}.
   */
  static List<String> predictionColumns(int classes, int outputs) {
    if (classes == 0 && outputs == 1) {
      return List.of("prediction");
    }
    if (classes == 0) {
      List<String> names = new ArrayList<>();
      for (int j = 0; j < outputs; j++) {
        names.add("prediction_" + j);
      }
      return names;
    }
    List<String> names = new ArrayList<>(List.of("label"));
    for (int k = 0; k < classes; k++) {
      names.add("probability_" + k);
    }
    return names;
  }

  /**
   * Begins the output with its columns: {@code kept}, then those of a model of {@code classes}
   * classes predicting {@code outputs} values per row ({@link #predictionColumns}).
   */
  void start(KeptColumns kept, int classes, int outputs) throws IOException;

  /**
   * Writes {@code scores.rows()} rows.
   *
   * @param kept each row's kept values (empty when no column is kept)
   */
  void write(List<KeptColumns.Row> kept, TrainedModel.Scores scores) throws IOException;

  /** Completes the output (a Parquet file's footer) and flushes it. */
  void finish() throws IOException;
}
