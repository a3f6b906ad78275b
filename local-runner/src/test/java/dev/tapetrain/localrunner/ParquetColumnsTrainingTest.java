package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.data.parquet.PureJavaCodecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet columns as a user's files have them, trained end to end: a BOOLEAN target trains
 * logistic to the bits of the same labels as a 0/1 DOUBLE column, and files of one dataset whose
 * columns come in another order train as one file.
 */
class ParquetColumnsTrainingTest {

  private static final int N = 600;

  @TempDir
  Path dir;

  /** Rows [from, to) of x and a label, the label a BOOLEAN or a DOUBLE, in {@code order}. */
  private Path write(String name, String order, boolean bool, int from, int to)
      throws IOException {
    Random rnd = new Random(28);
    double[] x = new double[N];
    boolean[] label = new boolean[N];
    for (int i = 0; i < N; i++) {
      x[i] = rnd.nextGaussian();
      label[i] = x[i] + 0.7 * rnd.nextGaussian() > 0.2;
    }
    String y = bool ? "required boolean label;" : "required double label;";
    MessageType type = MessageTypeParser.parseMessageType("message t { " + (order.equals("xy")
        ? "required double x; " + y : y + " required double x;") + " }");
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(
            new org.apache.parquet.io.LocalOutputFile(p))
        .withConf(new PlainParquetConfiguration()).withCodecFactory(new PureJavaCodecs())
        .withType(type).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(150).withPageRowCountLimit(40).build()) {
      for (int i = from; i < to; i++) {
        Group g = groups.newGroup().append("x", x[i]);
        if (bool) {
          g.append("label", label[i]);
        } else {
          g.append("label", label[i] ? 1.0 : 0.0);
        }
        w.write(g);
      }
    }
    return p;
  }

  private List<Runs.Step> train(String name, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--model", "logistic", "--features", "x", "--target", "label",
        "--steps", "10", "--chunk-size", "64", "--learning-rate", "0.5", "--run-dir",
        dir.resolve(name).toString()));
    Runs.Result r = Runs.run(all.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return Runs.steps(dir.resolve(name));
  }

  @Test
  void aBooleanTargetTrainsLogisticToTheBitsOfAZeroOneDoubleTarget() throws Exception {
    List<Runs.Step> doubles = train("double", "--data",
        write("d.parquet", "xy", false, 0, N).toString(), "--workers", "1");
    assertEquals(doubles, train("bool", "--data",
        write("b.parquet", "xy", true, 0, N).toString(), "--workers", "3"),
        "every logged step, bit for bit");
  }

  @Test
  void filesWithTheirColumnsInAnotherOrderTrainAsOneFile() throws Exception {
    List<Runs.Step> one = train("one", "--data",
        write("one.parquet", "xy", true, 0, N).toString(), "--workers", "2");
    write("parts/a.parquet", "xy", true, 0, 250);
    write("parts/b.parquet", "yx", true, 250, N);
    assertEquals(one, train("run-parts", "--data", dir.resolve("parts").toString(), "--workers",
        "3"), "every logged step, bit for bit");
  }
}
