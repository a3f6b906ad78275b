package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.data.parquet.PureJavaCodecs;
import dev.tapetrain.localrunner.api.TrainedRun;
import dev.tapetrain.localrunner.api.Trainer;
import dev.tapetrain.localrunner.trained.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.PlainReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A regression whose prediction is {@code [n, k]} (s15 user finding 2): predict used to write the
 * flattened tensor's first n values as one column. Now it writes {@code prediction_0..k-1} in CSV
 * and Parquet, the Java API returns k values per row, and {@code [n, 1]} keeps the one
 * {@code prediction} column. Expected values are a plain loop over the checkpoint's {@code w}.
 */
class WidePredictionTest {

  private static final double[] X = {0, 1, 4, -2.5};

  @TempDir
  Path dir;

  private Path train(String name, int outputs) throws Exception {
    Path csv = dir.resolve("train.csv");
    Files.writeString(csv, "x,y\n1,2\n2,4\n3,6\n-1,-2\n");
    Path run = dir.resolve(name);
    Runs.Result r = Runs.run("--model", "test-wide", "--set", "outputs=" + outputs, "--data",
        csv.toString(), "--features", "x", "--target", "y", "--steps", "5", "--learning-rate",
        "0.01", "--workers", "1", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    return run;
  }

  private Path newRows() throws Exception {
    Path data = dir.resolve("new.csv");
    StringBuilder b = new StringBuilder("x\n");
    for (double x : X) {
      b.append(x).append('\n');
    }
    Files.writeString(data, b);
    return data;
  }

  /** x · w[0, j] for each row: the model's [n, k] output, row-major. */
  private static double[][] expected(Path run) {
    TrainedModel t = TrainedModel.load(run);
    double[] w = t.params().get(0).values();
    double[][] out = new double[X.length][w.length];
    for (int i = 0; i < X.length; i++) {
      for (int j = 0; j < w.length; j++) {
        out[i][j] = X[i] * w[j];
      }
    }
    return out;
  }

  @Test
  void anNByKPredictionIsWrittenAsKColumnsInCsvAndParquet() throws Exception {
    Path run = train("wide", 2);
    double[][] expected = expected(run);
    Runs.Result r = Runs.run("predict", run.toString(), "--data", newRows().toString());
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.outLines();
    assertEquals("prediction_0,prediction_1", lines.get(0));
    assertEquals(X.length + 1, lines.size());
    for (int i = 0; i < X.length; i++) {
      assertEquals(expected[i][0] + "," + expected[i][1], lines.get(i + 1), "row " + i);
    }
    Path pq = dir.resolve("out.parquet");
    r = Runs.run("predict", run.toString(), "--data", newRows().toString(), "--out",
        pq.toString(), "--keep-columns");
    assertEquals(0, r.exitCode(), r.err());
    try (ParquetFileReader f = ParquetFileReader.open(new LocalInputFile(pq),
        PlainReadOptions.create(new PureJavaCodecs()))) {
      MessageType schema = f.getFooter().getFileMetaData().getSchema();
      assertEquals("message predictions { required double x; required double prediction_0; "
          + "required double prediction_1; }", schema.toString().replaceAll("\\s+", " ").strip());
      List<Group> rows = new ArrayList<>();
      for (PageReadStore p = f.readNextRowGroup(); p != null; p = f.readNextRowGroup()) {
        RecordReader<Group> rr = new ColumnIOFactory().getColumnIO(schema)
            .getRecordReader(p, new GroupRecordConverter(schema));
        for (long i = 0; i < p.getRowCount(); i++) {
          rows.add(rr.read());
        }
      }
      assertEquals(X.length, rows.size());
      for (int i = 0; i < X.length; i++) {
        assertArrayEquals(expected[i], new double[] {rows.get(i).getDouble("prediction_0", 0),
            rows.get(i).getDouble("prediction_1", 0)}, "row " + i);
      }
    }
  }

  @Test
  void anNByOnePredictionKeepsItsOnePredictionColumn() throws Exception {
    Path run = train("narrow", 1);
    double[][] expected = expected(run);
    Runs.Result r = Runs.run("predict", run.toString(), "--data", newRows().toString());
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.outLines();
    assertEquals("prediction", lines.get(0));
    for (int i = 0; i < X.length; i++) {
      assertEquals(Double.toString(expected[i][0]), lines.get(i + 1), "row " + i);
    }
  }

  @Test
  void theJavaApiReturnsKValuesPerRow() throws Exception {
    Path csv = dir.resolve("train.csv");
    Files.writeString(csv, "x,y\n1,2\n2,4\n3,6\n-1,-2\n");
    TrainedRun run = Trainer.builder().model("test-wide").option("--set", "outputs=3")
        .option("--data", csv.toString()).option("--features", "x").option("--target", "y")
        .steps(5).learningRate(0.01).runDir(dir.resolve("api")).build().fit();
    double[] w = run.parameters().get("w");
    double[][] got = run.predict(new double[][] {{X[1]}, {X[2]}});
    assertArrayEquals(new double[] {X[1] * w[0], X[1] * w[1], X[1] * w[2]}, got[0]);
    assertArrayEquals(new double[] {X[2] * w[0], X[2] * w[1], X[2] * w[2]}, got[1]);
  }
}
