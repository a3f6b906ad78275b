package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --validation-data} (issue 26 item 2): validation rows in a file of their own are
 * evaluated as a validation split's are — bit for bit the same numbers as the same rows given
 * as the tail of one file with {@code --validation-split} (both chunked apart alike), the
 * plain loop's validation losses to 1e-12 relative, the same bits for 1 and 3 workers with
 * chunks cut apart from the training samples' — a resume refuses a changed file, and bad input
 * is one line each.
 */
class ValidationDataTest {

  private static final int N = 240;
  private static final int TRAIN = 192; // floor(240 · 0.8): the tail split of the same rows
  private static final int BATCH = 20;
  private static final double LR = 0.05;
  private static final NoisyLine DATA = NoisyLine.of(N, 23);

  @TempDir
  Path dir;

  private Path write(String name, int from, int to) throws Exception {
    StringBuilder b = new StringBuilder("x,y\n");
    for (int i = from; i < to; i++) {
      b.append(DATA.x()[i]).append(',').append(DATA.y()[i]).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, b);
    return p;
  }

  private static String[] job(Path run, String... more) {
    List<String> args = new ArrayList<>(List.of("--features", "x", "--target", "y",
        "--learning-rate", "" + LR, "--init-w", "0", "--init-b", "0", "--batch-size",
        "" + BATCH, "--epochs", "3", "--no-shuffle", "--run-dir", run.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @ParameterizedTest(name = "chunks of {0}")
  @ValueSource(ints = {16, 20})
  void validationDataGiveTheBitsOfTheSameRowsAsATailSplit(int chunk) throws Exception {
    Path all = write("all.csv", 0, N);
    Path train = write("train.csv", 0, TRAIN);
    Path val = write("val.csv", TRAIN, N);
    Path split = dir.resolve("split");
    Path file = dir.resolve("file");
    // Chunks of 16: 192 training rows are 12 whole chunks. Chunks of 20: 9 and one of 12,
    // then the 48 validation rows' own 20, 20 and 8, in both runs (a held-out split is chunked
    // apart from the training rows as validation data are), so both add alike.
    Runs.Result a = Runs.run(job(split, "--data", all.toString(), "--validation-split", "0.2",
        "--chunk-size", "" + chunk, "--workers", "2"));
    assertEquals(0, a.exitCode(), a.err());
    Runs.Result b = Runs.run(job(file, "--data", train.toString(), "--validation-data",
        val.toString(), "--chunk-size", "" + chunk, "--workers", "3"));
    assertEquals(0, b.exitCode(), b.err());
    assertEquals(Files.readString(split.resolve("epochs.jsonl")),
        Files.readString(file.resolve("epochs.jsonl")), "every epoch's loss and val_loss");
    assertEquals(Runs.summary(split).get("val_loss"), Runs.summary(file).get("val_loss"));
    assertEquals(Runs.summary(split).get("params"), Runs.summary(file).get("params"));
    assertEquals(a.out(), b.out(), "the same console");
    JsonNode options = Json.MAPPER.readTree(file.resolve("config.json").toFile())
        .get("options");
    assertEquals(val.toString(), options.get("validation_data").asText());
    assertEquals(N - TRAIN, options.get("validation_samples").asLong());
    assertEquals(TRAIN, options.get("training_samples").asLong());
    JsonNode data = Json.MAPPER.readTree(split.resolve("config.json").toFile()).get("dataset");
    assertEquals(N - TRAIN, data.get("held_out").asLong());
    assertEquals((TRAIN + chunk - 1) / chunk + (N - TRAIN + chunk - 1) / chunk,
        data.get("chunks").asInt());
  }

  @Test
  void validationDataMatchThePlainLoopAndTheBitsOfOneAndThreeWorkers() throws Exception {
    // 150 training rows (chunks of 64: the last has 22) and 90 validation rows cut apart.
    int train = 150;
    Path trainCsv = write("train.csv", 0, train);
    Path valCsv = write("val.csv", train, N);
    List<Double> valLosses = new ArrayList<>();
    double w = 0;
    double b = 0;
    for (int e = 0; e < 3; e++) {
      for (int from = 0; from < train; from += BATCH) {
        int n = Math.min(BATCH, train - from);
        double gw = 0;
        double gb = 0;
        for (int i = from; i < from + n; i++) {
          double err = DATA.x()[i] * w + b - DATA.y()[i];
          gw += 2 * err * DATA.x()[i];
          gb += 2 * err;
        }
        w -= LR * (gw / n);
        b -= LR * (gb / n);
      }
      double val = 0;
      for (int i = train; i < N; i++) {
        double err = DATA.x()[i] * w + b - DATA.y()[i];
        val += err * err;
      }
      valLosses.add(val / (N - train));
    }
    String first = null;
    for (int workers : new int[] {1, 3}) {
      Path run = dir.resolve("run" + workers);
      Runs.Result r = Runs.run(job(run, "--data", trainCsv.toString(), "--validation-data",
          valCsv.toString(), "--workers", "" + workers));
      assertEquals(0, r.exitCode(), r.err());
      List<String> lines = Files.readAllLines(run.resolve("epochs.jsonl"));
      for (int e = 0; e < 3; e++) {
        double logged = Json.MAPPER.readTree(lines.get(e)).get("val_loss").asDouble();
        assertEquals(valLosses.get(e), logged, 1e-12 * valLosses.get(e), "epoch " + (e + 1));
      }
      JsonNode summary = Runs.summary(run);
      assertEquals(w, summary.get("w").asDouble(), 1e-12 * Math.abs(w), "w");
      String bits = String.join("\n", lines) + summary.get("params");
      if (first == null) {
        first = bits;
      } else {
        assertEquals(first, bits, "bit-identical for 1 and 3 workers");
      }
    }
  }

  @Test
  void aResumedRunRefusesChangedValidationData() throws Exception {
    Path train = write("train.csv", 0, TRAIN);
    Path val = write("val.csv", TRAIN, N);
    Path run = dir.resolve("run");
    Runs.Result r = Runs.run(job(run, "--data", train.toString(), "--validation-data",
        val.toString()));
    assertEquals(0, r.exitCode(), r.err());
    // One more digit in the first row's target: a valid file with other numbers.
    Files.writeString(val, Files.readString(val).replaceFirst("\n([^\n]*)\n", "\n$11\n"));
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--epochs", "4");
    assertEquals(2, resumed.exitCode(), resumed.err());
    assertEquals(1, resumed.err().lines().count(), resumed.err());
    assertTrue(resumed.err().contains("--resume: " + val + " changed since the run started"),
        resumed.err());
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of("missing.csv", null, new String[] {},
            "--validation-data missing.csv: no such file"),
        Arguments.of("other.csv", "x1,y\n1,2\n", new String[] {},
            "other.csv:1: no column 'x' in header [x1, y]"),
        Arguments.of("labels.csv", "x,y\n1,0\n2,2\n", new String[] {"--model", "logistic"},
            "labels.csv:3: column 'y': label 2.0 is not a class 0 or 1"),
        Arguments.of("empty.csv", "", new String[] {},
            "empty.csv: file is empty"),
        Arguments.of("header.csv", "x,y\n", new String[] {},
            "header.csv: no data rows after the header"),
        // Read as Parquet (its extension), not as --data's CSV: the Parquet reader's words.
        Arguments.of("val.parquet", "PAR1 not CSV", new String[] {},
            "val.parquet: not a readable Parquet file"),
        Arguments.of("val.csv", "x,y\n1,2\n", new String[] {"--validation-split", "0.2"},
            "--validation-data cannot be used with --validation-split"),
        Arguments.of("val.csv", "x,y\n1,2\n", new String[] {"--no-batch"},
            "--validation-data needs --batch-size"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void badValidationDataGetOneLineAndExitCodeTwo(String name, String content, String[] more,
      String expected) throws Exception {
    Path run = dir.resolve("run");
    Path train = write("train.csv", 0, 40);
    if (content != null) {
      Files.writeString(dir.resolve(name), content);
    }
    List<String> args = new ArrayList<>(List.of(job(run, "--data", train.toString(),
        "--validation-data", content == null ? name : dir.resolve(name).toString())));
    if (List.of(more).contains("logistic")) {
      StringBuilder labels = new StringBuilder("x,y\n");
      for (int i = 0; i < 40; i++) {
        labels.append(DATA.x()[i]).append(',').append(DATA.x()[i] > 0 ? 1 : 0).append('\n');
      }
      Files.writeString(train, labels);
      int at = args.indexOf("--init-w");
      args.subList(at, at + 4).clear(); // settings of linear
    }
    if (more.length == 1 && more[0].equals("--no-batch")) {
      int at = args.indexOf("--batch-size");
      args.subList(at, at + 5).clear(); // --batch-size B --epochs E --no-shuffle
    } else {
      args.addAll(List.of(more));
    }
    Runs.assertRefused(Runs.run(args.toArray(String[]::new)), expected, run);
  }

  /**
   * Validation rows that are the training file itself, by its name or by a link to it, would
   * report a validation loss of the training rows: refused in one line (a link got through until
   * 2026-12-07, found by a new-user test round).
   */
  @Test
  void theTrainingFileAsValidationDataIsRefusedByItsNameOrByALink() throws Exception {
    Path run = dir.resolve("run");
    Path train = write("train.csv", 0, 40);
    Path link = Files.createSymbolicLink(dir.resolve("link.csv"), train.getFileName());
    for (Path val : List.of(train, link)) {
      Runs.assertRefused(Runs.run(job(run, "--data", train.toString(), "--validation-data",
          val.toString())), "--validation-data " + val + ": the file is also part of --data",
          run);
    }
  }

  /** Rows [from, to) as Parquet (x, y doubles) in row groups of 17 rows, as pandas writes it. */
  private Path parquet(String name, int from, int to) throws Exception {
    Path p = dir.resolve(name);
    org.apache.parquet.schema.MessageType type = org.apache.parquet.schema.MessageTypeParser
        .parseMessageType("message t { required double x; required double y; }");
    org.apache.parquet.example.data.simple.SimpleGroupFactory groups =
        new org.apache.parquet.example.data.simple.SimpleGroupFactory(type);
    try (org.apache.parquet.hadoop.ParquetWriter<org.apache.parquet.example.data.Group> w =
        org.apache.parquet.hadoop.example.ExampleParquetWriter
            .builder(new org.apache.parquet.io.LocalOutputFile(p))
            .withConf(new org.apache.parquet.conf.PlainParquetConfiguration())
            .withCodecFactory(new dev.tapetrain.data.parquet.PureJavaCodecs()).withType(type)
            .withRowGroupRowCountLimit(17).build()) {
      for (int i = from; i < to; i++) {
        w.write(groups.newGroup().append("x", DATA.x()[i]).append("y", DATA.y()[i]));
      }
    }
    return p;
  }

  /**
   * Validation data have their own format, chosen by their extension as --data's is: Parquet
   * validation rows beside CSV training rows (and the other way round, and with --format csv
   * naming --data's) give the bits of the same rows in CSV (a new-user round, 2026-12-07: they
   * were refused as "not in --data's format").
   */
  @Test
  void parquetValidationDataBesideCsvTrainingDataGiveTheBitsOfCsvValidationData()
      throws Exception {
    Path trainCsv = write("train.csv", 0, TRAIN);
    Path valCsv = write("val.csv", TRAIN, N);
    Path trainPq = parquet("train.parquet", 0, TRAIN);
    Path valPq = parquet("val.parquet", TRAIN, N);
    Path csvOnly = dir.resolve("csv-only");
    Runs.Result a = Runs.run(job(csvOnly, "--data", trainCsv.toString(), "--validation-data",
        valCsv.toString(), "--workers", "2"));
    assertEquals(0, a.exitCode(), a.err());
    String expected = Files.readString(csvOnly.resolve("epochs.jsonl"));
    assertEquals(3, expected.lines().filter(l -> l.contains("\"val_loss\"")).count(), expected);
    String[][] pairs = {{trainCsv.toString(), valPq.toString(), null},
        {trainPq.toString(), valCsv.toString(), null},
        {trainCsv.toString(), valPq.toString(), "csv"}};
    int k = 0;
    for (String[] pair : pairs) {
      Path run = dir.resolve("mixed" + k++);
      List<String> args = new ArrayList<>(List.of(job(run, "--data", pair[0],
          "--validation-data", pair[1], "--workers", "3")));
      if (pair[2] != null) {
        args.addAll(List.of("--format", pair[2]));
      }
      Runs.Result r = Runs.run(args.toArray(String[]::new));
      assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.err());
      assertEquals(expected, Files.readString(run.resolve("epochs.jsonl")),
          String.join(" ", pair) + ": every epoch's loss and val_loss, bit for bit");
      assertEquals(Runs.summary(csvOnly).get("params"), Runs.summary(run).get("params"));
      JsonNode validation = Json.MAPPER.readTree(run.resolve("config.json").toFile())
          .get("dataset").get("validation");
      assertEquals(pair[1].endsWith(".parquet") ? "parquet" : "csv",
          validation.get("kind").asText());
    }
    // A resume checks the Parquet validation file by its own format's digest.
    Path mixed = dir.resolve("mixed0");
    Runs.Result resumed = Runs.run("--resume", mixed.toString(), "--epochs", "4");
    assertEquals(0, resumed.exitCode(), resumed.err());
  }
}
