package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data files end to end (issue 28): the same samples as CSV and as Parquet, and split over
 * several files, train to the same bits for any worker count; bad files are one line, exit 2,
 * no run directory.
 */
class DataFilesTest {

  private static final int N = 700;

  @TempDir
  Path dir;

  private final double[] x = new double[N];
  private final int[] k = new int[N];
  private final double[] y = new double[N];

  @BeforeEach
  void samples() {
    Random rnd = new Random(28);
    for (int i = 0; i < N; i++) {
      x[i] = rnd.nextGaussian();
      k[i] = rnd.nextInt(7) - 3;
      y[i] = 2 * x[i] - 0.5 * k[i] + 1 + 0.3 * rnd.nextGaussian();
    }
  }

  private Path csv(String name, int from, int to) throws IOException {
    StringBuilder s = new StringBuilder("x,k,y\n");
    for (int i = from; i < to; i++) {
      s.append(x[i]).append(',').append(k[i]).append(',').append(y[i]).append('\n');
    }
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
    return p;
  }

  /** Rows [from, to) as Parquet (x DOUBLE, k INT32, y DOUBLE) in row groups of 150 rows. */
  private Path parquet(String name, int from, int to) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    MessageType type = MessageTypeParser.parseMessageType(
        "message t { required double x; required int32 k; required double y; }");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(
            new org.apache.parquet.io.LocalOutputFile(p))
        .withConf(new PlainParquetConfiguration()).withCodecFactory(new PureJavaCodecs())
        .withType(type).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(150).withPageRowCountLimit(40).build()) {
      for (int i = from; i < to; i++) {
        w.write(groups.newGroup().append("x", x[i]).append("k", k[i]).append("y", y[i]));
      }
    }
    return p;
  }

  private List<Runs.Step> train(String name, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--steps", "10", "--chunk-size", "64", "--learning-rate", "0.1",
        "--run-dir", dir.resolve(name).toString()));
    Runs.Result r = Runs.run(all.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return Runs.steps(dir.resolve(name));
  }

  private JsonNode dataset(String run) throws IOException {
    return Json.MAPPER.readTree(dir.resolve(run).resolve("config.json").toFile()).get("dataset");
  }

  @Test
  void theSameDataAsCsvAndAsParquetTrainToTheSameBitsForAnyWorkerCount() throws Exception {
    Path c = csv("d.csv", 0, N);
    Path p = parquet("d.parquet", 0, N);
    List<Runs.Step> fromCsv = train("csv", "--data", c.toString(), "--features", "x",
        "--workers", "1");
    assertEquals(fromCsv, train("parquet", "--data", p.toString(), "--features", "x",
        "--workers", "3"), "every logged step, bit for bit");
    assertEquals("parquet", dataset("parquet").get("kind").asText());
    assertEquals(N, dataset("parquet").get("rows").asLong());
    // two features, one of them INT32 in the Parquet file: the digest chained over every bit
    assertEquals(train("csv2", "--data", c.toString(), "--features", "x,k", "--workers", "2"),
        train("parquet2", "--data", p.toString(), "--features", "x,k", "--workers", "3"));
  }

  @Test
  void rowsSplitOverSeveralFilesTrainAsOneFileHoweverTheFilesAreNamed() throws Exception {
    Path one = csv("one.csv", 0, N);
    // 100 and 300 are not multiples of the chunk size: chunks run across files
    Path a = csv("parts/part-0.csv", 0, 100);
    Path b = csv("parts/part-1.csv", 100, 400);
    Path c = csv("parts/part-2.csv", 400, N);
    Files.writeString(dir.resolve("parts/_SUCCESS"), "");
    List<Runs.Step> whole = train("one", "--data", one.toString(), "--features", "x,k");
    assertEquals(whole, train("dir", "--data", dir.resolve("parts").toString(), "--features",
        "x,k", "--workers", "3"), "a directory");
    assertEquals(whole, train("glob", "--data", dir.resolve("parts/part-*.csv").toString(),
        "--features", "x,k", "--workers", "2"), "a quoted glob");
    assertEquals(whole, train("args", "--data", c.toString(), a.toString(), b.toString(),
        "--features", "x,k", "--workers", "2"), "the shell's expansion, in any order");
    JsonNode d = dataset("args");
    assertEquals(N, d.get("rows").asLong());
    assertEquals("100,300,300", d.get("file_rows").asText());
    // a resume reads the same files again, and refuses them once one has changed
    Path args = dir.resolve("args");
    Runs.Result resumed = Runs.run("--resume", args.toString(), "--steps", "12");
    assertEquals(0, resumed.exitCode(), resumed.err());
    assertEquals(whole.subList(0, 10), Runs.steps(args).subList(0, 10));
    Files.writeString(b, Files.readString(b) + "1,2,3\n");
    Runs.Result changed = Runs.run("--resume", args.toString(), "--steps", "14");
    assertEquals(2, changed.exitCode(), changed.err());
    assertTrue(changed.err().startsWith("local-runner: --resume: " + a + " and 2 more files "
        + "changed since the run started"), changed.err());
    parquet("pq/a.parquet", 0, 350);
    parquet("pq/b.parquet", 350, N);
    assertEquals(whole, train("pq-run", "--data", dir.resolve("pq").toString(), "--features", "x,k",
        "--workers", "3"), "Parquet files in a directory");
  }

  @Test
  void predictScoresAParquetFileAsTheSameRowsInCsv() throws Exception {
    Path c = csv("d.csv", 0, N);
    Path p = parquet("d.parquet", 0, N);
    train("run", "--data", c.toString(), "--features", "x,k");
    Path run = dir.resolve("run");
    Path fromCsv = dir.resolve("csv-out.csv");
    Path fromParquet = dir.resolve("parquet-out.csv");
    Runs.Result a = Runs.run("predict", run.toString(), "--data", c.toString(), "--out",
        fromCsv.toString());
    assertEquals(0, a.exitCode(), a.err());
    Runs.Result b = Runs.run("predict", run.toString(), "--data", p.toString(), "--out",
        fromParquet.toString());
    assertEquals(0, b.exitCode(), b.err());
    assertEquals(N + 1, Files.readAllLines(fromParquet).size());
    assertEquals(Files.readString(fromCsv), Files.readString(fromParquet), "every prediction");
    assertEquals(a.out().lines().skip(1).toList(), b.out().lines().skip(1).toList(),
        "the same evaluation against the target");
    assertTrue(b.out().startsWith("scored " + N + " row(s) of " + p), b.out());
  }

  private void refused(String expected, String... args) {
    Path run = dir.resolve("never");
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--run-dir", run.toString()));
    Runs.Result r = Runs.run(all.toArray(String[]::new));
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().startsWith("local-runner: " + expected), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(Files.exists(run), "no run directory");
  }

  @Test
  void badDataFilesAreOneLineWithExitCodeTwoAndNoRunDirectory() throws Exception {
    refused("--data " + dir.resolve("*.csv") + ": no file matches",
        "--data", dir.resolve("*.csv").toString());
    Path c = csv("mixed/a.csv", 0, 10);
    Path p = parquet("mixed/b.parquet", 10, 20);
    refused("--data: " + c + " is csv but " + p + " is parquet; the files of one dataset have "
        + "one format", "--data", dir.resolve("mixed").toString());
    Path other = dir.resolve("cols/b.csv");
    csv("cols/a.csv", 0, 10);
    Files.createDirectories(other.getParent());
    Files.writeString(other, "x,z,y\n1,2,3\n");
    refused(other + ": its columns differ from those of " + dir.resolve("cols/a.csv")
        + " (header [x, z, y] against header [x, k, y])", "--data",
        dir.resolve("cols").toString());
    Path broken = dir.resolve("broken.parquet");
    Files.writeString(broken, "PAR1 not really");
    refused(broken + ": not a readable Parquet file (", "--data", broken.toString());
    refused(p + ": cannot read column as numbers: 'q' is not in the file (it has: x, k, y)",
        "--data", p.toString(), "--features", "q");
    refused("--data " + c + ": " + c + " is already part of the data", "--data", c.toString(),
        c.toString());
  }
}
