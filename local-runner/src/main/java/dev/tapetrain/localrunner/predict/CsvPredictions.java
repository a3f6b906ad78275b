package dev.tapetrain.localrunner.predict;

import dev.tapetrain.localrunner.trained.TrainedModel;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/** Predictions as CSV text: a header row, then one line per input row. */
final class CsvPredictions implements PredictionOutput {

  private final Writer writer;
  private int keptColumns;

  /** Writes to {@code writer}; {@link #finish} flushes it, the caller closes it. */
  CsvPredictions(Writer writer) {
    this.writer = writer;
  }

  @Override
  public void start(KeptColumns kept, int classes, int outputs) throws IOException {
    keptColumns = kept.types().size();
    StringBuilder h = new StringBuilder();
    for (String c : kept.names()) {
      h.append(quote(c)).append(',');
    }
    h.append(String.join(",", PredictionOutput.predictionColumns(classes, outputs)));
    writer.append(h.append('\n'));
  }

  @Override
  public void write(List<KeptColumns.Row> kept, TrainedModel.Scores s) throws IOException {
    int n = s.rows();
    int k = s.classes();
    StringBuilder b = new StringBuilder(n * 32);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < keptColumns; c++) {
        b.append(quote(kept.get(i).text(c))).append(',');
      }
      if (k == 0) {
        int w = s.width();
        b.append(s.values()[i * w]);
        for (int j = 1; j < w; j++) {
          b.append(',').append(s.values()[i * w + j]);
        }
      } else {
        b.append(s.labels()[i]);
        for (int j = 0; j < k; j++) {
          b.append(',').append(s.values()[i * k + j]);
        }
      }
      b.append('\n');
    }
    writer.append(b);
  }

  @Override
  public void finish() throws IOException {
    writer.flush();
  }

  /** A cell as CSV: quoted when it holds a comma, a quote, a line break or spaces at its ends. */
  static String quote(String cell) {
    if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0
        && cell.indexOf('\r') < 0 && cell.strip().equals(cell)) {
      return cell;
    }
    return '"' + cell.replace("\"", "\"\"") + '"';
  }
}
