package dev.tapetrain.localrunner.predict;

import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.spi.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows waiting to be scored together, {@link PredictCommand#BLOCK_ROWS} at a time, and the output
 * and evaluation their scores go to. Receives the input's rows; {@link #flush} the last block.
 */
final class ScoringBlocks implements PredictInput.Rows {
  private final TrainedModel trained;
  private final PredictionOutput output;
  private final Evaluation eval;
  private final boolean keep;
  private final int f;
  private final double[] x;
  private final double[] y;
  private final List<KeptColumns.Row> kept = new ArrayList<>();
  private int n;
  private int outputs;

  ScoringBlocks(TrainedModel trained, PredictionOutput output, Evaluation eval, boolean keep) {
    this.trained = trained;
    this.output = output;
    this.eval = eval;
    this.keep = keep;
    this.f = trained.features();
    this.x = new double[PredictCommand.BLOCK_ROWS * f];
    this.y = new double[PredictCommand.BLOCK_ROWS];
  }

  @Override
  public void columns(KeptColumns columns) {
    eval.hasTargets = columns.names().contains(trained.targetColumn());
    try {
      outputs = trained.outputs();
      output.start(keep ? columns : KeptColumns.NONE, trained.classes(), outputs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void row(KeptColumns.Row keptRow, double[] features, double target) {
    System.arraycopy(features, 0, x, n * f, f);
    y[n] = target;
    eval.hasTargets &= !Double.isNaN(target);
    if (keep) {
      kept.add(keptRow);
    }
    if (++n == PredictCommand.BLOCK_ROWS) {
      flush();
    }
  }

  /** Scores and writes the rows waiting. */
  void flush() {
    if (n == 0) {
      return;
    }
    TrainedModel.Scores s = trained.score(x, n);
    if (s.width() != outputs) {
      throw new UserError("model '" + trained.name() + "' predicted " + s.width()
          + " value(s) per row for a block of " + n + " row(s) but " + outputs + " for one row;"
          + " predict writes the same columns for every row");
    }
    try {
      output.write(kept, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    eval.rows += n;
    if (eval.hasTargets) {
      eval.lossSum += trained.lossSum(x, y, n);
      if (s.classes() > 0) {
        for (int i = 0; i < n; i++) {
          eval.confusion[(int) y[i]][s.labels()[i]]++;
        }
      }
    }
    kept.clear();
    n = 0;
  }
}
