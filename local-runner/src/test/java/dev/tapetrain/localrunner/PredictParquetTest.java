package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.parquet.PureJavaCodecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.parquet.PlainReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} reads Parquet and many files as training does and writes {@code --out
 * x.parquet} (issue 28, item 6): the same rows as CSV and as Parquet, one file or several, give
 * the same predictions bit for bit, in a CSV output and in a Parquet output read back with
 * parquet-java; {@code --keep-columns} copies Parquet input's columns in their types; bad input
 * and a bad {@code --out} are one line, exit 2, and leave no output behind.
 */
class PredictParquetTest {

  private static final int N = 500;
  private static final String SCHEMA = "message t { required binary id (STRING); required double "
      + "x; required int32 k; required double y; required int32 c; optional double note; }";

  @TempDir
  Path dir;

  private final double[] x = new double[N];
  private final int[] k = new int[N];
  private final double[] y = new double[N];
  private final int[] c = new int[N];

  @BeforeEach
  void samples() {
    Random rnd = new Random(6);
    for (int i = 0; i < N; i++) {
      x[i] = rnd.nextGaussian();
      k[i] = rnd.nextInt(7) - 3;
      y[i] = 2 * x[i] - 0.5 * k[i] + 1 + 0.3 * rnd.nextGaussian();
      c[i] = x[i] < -0.5 ? 0 : x[i] < 0.5 ? 1 : 2;
    }
  }

  private static String id(int i) {
    return i % 7 == 3 ? "r," + i : "r" + i;
  }

  private Path csv(String name, int from, int to) throws IOException {
    StringBuilder s = new StringBuilder("id,x,k,y,c,note\n");
    for (int i = from; i < to; i++) {
      s.append(id(i).contains(",") ? "\"" + id(i) + "\"" : id(i)).append(',').append(x[i])
          .append(',').append(k[i]).append(',').append(y[i]).append(',').append(c[i])
          .append(',').append(i % 5 == 0 ? "" : Double.toString(i * 0.25)).append('\n');
    }
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
    return p;
  }

  /** Rows [from, to) as Parquet in row groups of 120 rows; every fifth row's note is null. */
  private Path parquet(String name, int from, int to, String schema) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    MessageType type = MessageTypeParser.parseMessageType(schema);
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(p))
        .withConf(new PlainParquetConfiguration()).withCodecFactory(new PureJavaCodecs())
        .withType(type).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(120).withPageRowCountLimit(50).build()) {
      for (int i = from; i < to; i++) {
        Group g = groups.newGroup().append("id", id(i)).append("x", x[i]);
        if (type.containsField("k")) {
          g.append("k", k[i]);
        }
        g.append("y", y[i]).append("c", c[i]);
        if (i % 5 != 0) {
          g.append("note", i * 0.25);
        }
        w.write(g);
      }
    }
    return p;
  }

  /** Every record of a Parquet file, read with parquet-java, and its schema. */
  private record Table(MessageType schema, List<Group> rows) {}

  private static Table read(Path p) throws IOException {
    List<Group> rows = new ArrayList<>();
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(p),
        PlainReadOptions.create(new PureJavaCodecs()))) {
      MessageType schema = r.getFooter().getFileMetaData().getSchema();
      for (PageReadStore pages = r.readNextRowGroup(); pages != null;
          pages = r.readNextRowGroup()) {
        RecordReader<Group> rr = new ColumnIOFactory().getColumnIO(schema)
            .getRecordReader(pages, new GroupRecordConverter(schema));
        for (long i = 0; i < pages.getRowCount(); i++) {
          rows.add(rr.read());
        }
      }
      return new Table(schema, rows);
    }
  }

  private Path train(String name, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--data", dir.resolve("d.csv").toString(), "--features", "x,k",
        "--steps", "10", "--learning-rate", "0.1", "--run-dir", dir.resolve(name).toString()));
    Runs.Result r = Runs.run(all.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return dir.resolve(name);
  }

  private static Runs.Result predict(Path run, String... args) {
    List<String> all = new ArrayList<>(List.of("predict", run.toString()));
    all.addAll(List.of(args));
    Runs.Result r = Runs.run(all.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    return r;
  }

  /** Asserts that a Parquet output holds the CSV output's columns and values, bit for bit. */
  private static void sameValues(Path csvOut, Path parquetOut) throws IOException {
    List<String> lines = Files.readAllLines(csvOut);
    Table t = read(parquetOut);
    String[] names = lines.get(0).split(",");
    assertEquals(names.length, t.schema().getFieldCount(), t.schema().toString());
    assertEquals(lines.size() - 1, t.rows().size(), "rows");
    for (int i = 0; i < t.rows().size(); i++) {
      String[] cells = lines.get(i + 1).split(",");
      Group g = t.rows().get(i);
      for (int f = 0; f < names.length; f++) {
        assertEquals(names[f], t.schema().getFieldName(f));
        if (names[f].equals("label")) {
          assertEquals(Integer.parseInt(cells[f]), g.getInteger(f, 0), "row " + i);
        } else {
          assertEquals(Double.doubleToRawLongBits(Double.parseDouble(cells[f])),
              Double.doubleToRawLongBits(g.getDouble(f, 0)), "row " + i + " " + names[f]);
        }
      }
    }
  }

  @Test
  void csvAndParquetInputAndOutputHoldTheSamePredictionsBitForBit() throws Exception {
    csv("d.csv", 0, N);
    Path pq = parquet("d.parquet", 0, N, SCHEMA);
    parquet("parts/part-0.parquet", 0, 130, SCHEMA);
    parquet("parts/part-1.parquet", 130, 400, SCHEMA);
    parquet("parts/part-2.parquet", 400, N, SCHEMA);
    Files.writeString(dir.resolve("parts/_SUCCESS"), "");
    csv("cparts/a.csv", 0, 222);
    csv("cparts/b.csv", 222, N);
    Path linear = train("linear", "--target", "y");
    Path softmax = train("softmax", "--model", "softmax", "--target", "c");
    for (Path run : List.of(linear, softmax)) {
      String m = run.getFileName().toString();
      Path fromCsv = dir.resolve(m + "-csv.csv");
      Runs.Result a = predict(run, "--data", dir.resolve("d.csv").toString(), "--out",
          fromCsv.toString());
      Path fromPq = dir.resolve(m + "-pq.csv");
      Runs.Result b = predict(run, "--data", pq.toString(), "--out", fromPq.toString());
      assertEquals(Files.readString(fromCsv), Files.readString(fromPq), m);
      assertEquals(a.out().lines().skip(1).toList(), b.out().lines().skip(1).toList(),
          m + ": the same evaluation");
      Path parts = dir.resolve(m + "-parts.csv");
      predict(run, "--data", dir.resolve("parts").toString(), "--out", parts.toString());
      assertEquals(Files.readString(fromCsv), Files.readString(parts), m + ": a directory");
      Path glob = dir.resolve(m + "-glob.csv");
      predict(run, "--data", dir.resolve("parts/part-*.parquet").toString(), "--out",
          glob.toString());
      assertEquals(Files.readString(fromCsv), Files.readString(glob), m + ": a glob");
      Path args = dir.resolve(m + "-args.csv");
      predict(run, "--data", dir.resolve("cparts/b.csv").toString(),
          dir.resolve("cparts/a.csv").toString(), "--out", args.toString());
      assertEquals(Files.readString(fromCsv), Files.readString(args), m + ": CSV files in "
          + "path order, whatever the order of the arguments");

      Path pqOut = dir.resolve(m + "-pq.parquet");
      predict(run, "--data", pq.toString(), "--out", pqOut.toString());
      sameValues(fromCsv, pqOut);
      Path csvToPq = dir.resolve(m + "-csv.parquet");
      predict(run, "--data", dir.resolve("d.csv").toString(), "--out", csvToPq.toString());
      sameValues(fromCsv, csvToPq);
      String expected = m.equals("linear")
          ? "message predictions { required double prediction; }"
          : "message predictions { required int32 label; required double probability_0; "
              + "required double probability_1; required double probability_2; }";
      assertEquals(expected, read(pqOut).schema().toString().replaceAll("\\s+", " ").strip());
    }
  }

  @Test
  void theFooterNamesTapetrainAsTheWriterAndTheModelThatScored() throws Exception {
    csv("d.csv", 0, N);
    Path run = train("softmax", "--model", "softmax", "--target", "c");
    Path out = dir.resolve("scored.parquet");
    Runs.Result r = predict(run, "--data", dir.resolve("d.csv").toString(), "--out",
        out.toString());
    java.util.Map<String, String> meta;
    try (ParquetFileReader f = ParquetFileReader.open(new LocalInputFile(out),
        PlainReadOptions.create(new PureJavaCodecs()))) {
      meta = f.getFooter().getFileMetaData().getKeyValueMetaData();
    }
    assertEquals("tapetrain", meta.get("writer.model.name"), meta.toString());
    assertEquals("softmax", meta.get("tapetrain.model"), meta.toString());
    assertEquals("step 10", meta.get("tapetrain.params"), meta.toString());
    assertTrue(r.out().contains("(" + meta.get("tapetrain.params") + ")"), r.out());
    assertEquals("dev", meta.get("tapetrain.version"), "no jar manifest in a test");
    assertEquals(java.util.Set.of("writer.model.name", "tapetrain.model", "tapetrain.params",
        "tapetrain.version"), meta.keySet());
  }

  @Test
  void keepColumnsCopiesParquetColumnsInTheirTypes() throws Exception {
    csv("d.csv", 0, N);
    Path pq = parquet("d.parquet", 0, N, SCHEMA);
    Path run = train("linear", "--target", "y");
    Path plain = dir.resolve("plain.csv");
    predict(run, "--data", pq.toString(), "--out", plain.toString());
    List<String> predictions = Files.readAllLines(plain);

    Path keptCsv = dir.resolve("kept.csv");
    predict(run, "--data", pq.toString(), "--keep-columns", "--out", keptCsv.toString());
    List<String> lines = Files.readAllLines(keptCsv);
    assertEquals("id,x,k,y,c,note,prediction", lines.get(0));
    for (int i = 0; i < N; i++) {
      String row = (id(i).contains(",") ? "\"" + id(i) + "\"" : id(i)) + "," + x[i] + ","
          + k[i] + "," + y[i] + "," + c[i] + "," + (i % 5 == 0 ? "" : Double.toString(i * 0.25))
          + "," + predictions.get(i + 1);
      assertEquals(row, lines.get(i + 1), "row " + i);
    }

    Path keptPq = dir.resolve("kept.parquet");
    predict(run, "--data", pq.toString(), "--keep-columns", "--out", keptPq.toString());
    Table in = read(pq);
    Table out = read(keptPq);
    assertEquals(SCHEMA.replace("message t {", "message predictions {")
            .replace("; }", "; required double prediction; }"),
        out.schema().toString().replaceAll("\\s+", " ").strip());
    for (int i = 0; i < N; i++) {
      Group a = in.rows().get(i);
      Group b = out.rows().get(i);
      assertEquals(a.toString(), b.toString().replaceAll("prediction: .*\\n", ""), "row " + i);
      assertEquals(i % 5 == 0 ? 0 : 1, b.getFieldRepetitionCount("note"), "a null stays null");
      assertEquals(Double.parseDouble(predictions.get(i + 1)), b.getDouble("prediction", 0));
    }

    // From CSV: the columns read as numbers become DOUBLE, the others STRING.
    Path fromCsv = dir.resolve("csv-kept.parquet");
    predict(run, "--data", dir.resolve("d.csv").toString(), "--keep-columns", "--out",
        fromCsv.toString());
    Table t = read(fromCsv);
    assertEquals("message predictions { required binary id (STRING); required double x; "
            + "required double k; required double y; required binary c (STRING); required "
            + "binary note (STRING); required double prediction; }",
        t.schema().toString().replaceAll("\\s+", " ").strip());
    assertEquals(id(3), t.rows().get(3).getString("id", 0));
    assertEquals(k[3], t.rows().get(3).getDouble("k", 0));
    assertEquals("", t.rows().get(5).getString("note", 0));
  }

  /**
   * A CSV header with empty names (a spreadsheet's x,y,, ) and a repeated one keeps them under
   * the names pandas' read_csv gives ("Unnamed: 3", "n.1"): a Parquet output never holds two
   * fields of one name, which other readers refuse (a new-user round, 2026-12-07: two fields
   * named ""), and the CSV output has the same header.
   */
  @Test
  void keptCsvColumnsWithoutANameOrRepeatedGetPandasNames() throws Exception {
    csv("d.csv", 0, N);
    Path run = train("linear", "--target", "y");
    Path sheet = dir.resolve("sheet.csv");
    Files.writeString(sheet, "x,k,y,,,n,n,Unnamed: 4\n1.5,2,3,a,,b,c,d\n-1,0,1,,e,f,g,h\n");
    Path pq = dir.resolve("sheet.parquet");
    predict(run, "--data", sheet.toString(), "--keep-columns", "--out", pq.toString());
    Table t = read(pq);
    assertEquals("message predictions { required double x; required double k; required double "
            + "y; required binary Unnamed: 3 (STRING); required binary Unnamed: 4.1 (STRING); "
            + "required binary n (STRING); required binary n.1 (STRING); required binary "
            + "Unnamed: 4 (STRING); required double prediction; }",
        t.schema().toString().replaceAll("\\s+", " ").strip());
    assertEquals("a", t.rows().get(0).getString("Unnamed: 3", 0));
    // pandas 3.0.6's read_csv: the header's own "Unnamed: 4" keeps its name and values.
    assertEquals("e", t.rows().get(1).getString("Unnamed: 4.1", 0));
    assertEquals("c", t.rows().get(0).getString("n.1", 0));
    assertEquals("h", t.rows().get(1).getString("Unnamed: 4", 0));
    Path out = dir.resolve("sheet-out.csv");
    predict(run, "--data", sheet.toString(), "--keep-columns", "--out", out.toString());
    assertEquals("x,k,y,Unnamed: 3,Unnamed: 4.1,n,n.1,Unnamed: 4,prediction",
        Files.readAllLines(out).get(0));
  }

  @Test
  void badInputAndBadOutputAreOneLineExitTwoAndLeaveNoOutput() throws Exception {
    csv("d.csv", 0, N);
    Path run = train("linear", "--target", "y");
    Path noK = parquet("nok.parquet", 0, 50, SCHEMA.replace(" required int32 k;", ""));
    Path out = dir.resolve("older.parquet");
    Files.writeString(out, "an older output");
    assertRefused(run, "predict: " + noK + ": cannot read column as numbers: 'k' is not in the "
        + "file (it has: id, x, y, c, note)", out, "--data", noK.toString(), "--out",
        out.toString());
    // the first file scored, the second is refused: the older output stays
    Path ok = parquet("two/a.parquet", 0, 300, SCHEMA);
    Path bad = parquet("two/b.parquet", 300, 350, SCHEMA.replace(" required int32 k;", ""));
    assertRefused(run, "predict: " + bad + ": its columns differ from those of " + ok + " (",
        out, "--data", dir.resolve("two").toString(), "--out", out.toString());
    Path csv = dir.resolve("d.csv");
    assertRefused(run, "predict: --data: " + csv + " is csv but " + ok + " is parquet; the files "
        + "of one dataset have one format", out, "--data", csv.toString(), ok.toString(),
        "--out", out.toString());
    Path missingDir = dir.resolve("no/such/p.parquet");
    assertRefused(run, "predict: --out " + missingDir + ": no such directory "
        + missingDir.getParent(), out, "--data", ok.toString(), "--out", missingDir.toString());
    Path unwritable = Path.of("/proc/predictions.parquet");
    assertRefused(run, "predict: --out " + unwritable + ": cannot write", out, "--data",
        ok.toString(), "--out", unwritable.toString());
    assertRefused(run, "predict: --out " + dir.resolve("k.parquet") + ": the kept input column "
        + "'prediction' has the name of a prediction column; a Parquet file holds a name once",
        out, "--data", csvWithPredictionColumn().toString(), "--keep-columns", "--out",
        dir.resolve("k.parquet").toString());
  }

  private Path csvWithPredictionColumn() throws IOException {
    Path p = dir.resolve("scored.csv");
    Files.writeString(p, "x,k,prediction\n1,2,3\n");
    return p;
  }

  /** Exit 2, one line starting with {@code expected}, {@code older} unchanged, no new file. */
  private void assertRefused(Path run, String expected, Path older, String... args)
      throws IOException {
    List<Path> before = files();
    List<String> all = new ArrayList<>(List.of("predict", run.toString()));
    all.addAll(List.of(args));
    Runs.Result r = Runs.run(all.toArray(String[]::new));
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().startsWith(expected), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals("an older output", Files.readString(older));
    assertArrayEquals(before.toArray(), files().toArray(), "no file left behind");
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.sorted().toList();
    }
  }
}
