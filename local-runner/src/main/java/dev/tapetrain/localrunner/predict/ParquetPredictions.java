package dev.tapetrain.localrunner.predict;

import dev.tapetrain.data.parquet.ParquetOutput;
import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.spi.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Predictions as a Parquet file (parquet-java's writer, Snappy, no Hadoop): the kept columns in
 * their types ({@link KeptColumns}), then {@code prediction} or {@code prediction_0..k-1}
 * (DOUBLE), or {@code label} (INT32)
 * and {@code probability_0..K-1} (DOUBLE), all required: the CSV output's columns and values.
 * The footer says what wrote it ({@code writer.model.name} {@code tapetrain},
 * {@code tapetrain.version}) and from what ({@code tapetrain.model}, e.g. {@code softmax};
 * {@code tapetrain.params}, e.g. {@code step 300}), so a file found later tells its origin.
 */
final class ParquetPredictions implements PredictionOutput {

  private final Path file;
  private final String shownAs;
  private final Map<String, String> metadata;
  private ParquetWriter<Group> writer;
  private SimpleGroupFactory groups;
  private int keptColumns;

  /**
   * Writes to {@code file} (a temporary file the caller renames).
   *
   * @param shownAs the name messages give the output ({@code --out}'s value)
   * @param model the scoring model's name
   * @param params where its parameters are from, as the report line says ({@code step 300})
   */
  ParquetPredictions(Path file, String shownAs, String model, String params) {
    this.file = file;
    this.shownAs = shownAs;
    this.metadata = Map.of(VERSION_KEY, version(), MODEL_KEY, model, PARAMS_KEY, params);
  }

  /** Footer key: the tapetrain version that wrote the file ({@code dev} outside a jar). */
  static final String VERSION_KEY = "tapetrain.version";
  /** Footer key: the name of the model that scored the rows. */
  static final String MODEL_KEY = "tapetrain.model";
  /** Footer key: which of the run's parameters scored them. */
  static final String PARAMS_KEY = "tapetrain.params";

  private static String version() {
    String v = ParquetPredictions.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** The output's schema; {@code shownAs} names the output in the message of a refusal. */
  static MessageType schema(KeptColumns kept, int classes, int outputs, String shownAs) {
    List<Type> fields = new ArrayList<>(kept.types());
    List<String> names = PredictionOutput.predictionColumns(classes, outputs);
    for (String name : names) {
      fields.add(Types.required(name.equals("label") ? PrimitiveTypeName.INT32
          : PrimitiveTypeName.DOUBLE).named(name));
    }
    for (String name : names) {
      if (kept.names().contains(name)) {
        throw new UserError("--out " + shownAs + ": the kept input column '" + name + "' has the "
            + "name of a prediction column; a Parquet file holds a name once");
      }
    }
    return new MessageType("predictions", fields);
  }

  @Override
  public void start(KeptColumns kept, int classes, int outputs) throws IOException {
    MessageType schema = schema(kept, classes, outputs, shownAs);
    keptColumns = kept.types().size();
    groups = new SimpleGroupFactory(schema);
    writer = ParquetOutput.open(file, schema, metadata);
  }

  @Override
  public void write(List<KeptColumns.Row> kept, TrainedModel.Scores s) throws IOException {
    int k = s.classes();
    for (int i = 0; i < s.rows(); i++) {
      Group g = groups.newGroup();
      for (int c = 0; c < keptColumns; c++) {
        kept.get(i).addTo(g, c);
      }
      if (k == 0) {
        int w = s.width();
        for (int j = 0; j < w; j++) {
          g.add(keptColumns + j, s.values()[i * w + j]);
        }
      } else {
        g.add(keptColumns, s.labels()[i]);
        for (int j = 0; j < k; j++) {
          g.add(keptColumns + 1 + j, s.values()[i * k + j]);
        }
      }
      writer.write(g);
    }
  }

  @Override
  public void finish() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  /** Closes the file without caring for its content (after a failure; it is deleted). */
  void abandon() {
    try {
      finish();
    } catch (IOException | RuntimeException e) {
      // The temporary file goes anyway.
    }
  }
}
