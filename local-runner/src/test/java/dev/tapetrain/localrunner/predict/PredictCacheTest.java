package dev.tapetrain.localrunner.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.localrunner.LocalRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import dev.tapetrain.data.parquet.PureJavaCodecs;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} scores the run's training data from the column cache (issue 28): the output is
 * byte for byte the one of parsing the files (CSV, a regression; Parquet in two files, a
 * classifier with its confusion matrix), and no row is parsed ({@link PredictInput#ROWS_READ}); data changed since the run, a damaged entry, {@code --keep-columns}
 * and {@code --cache off} parse the files; {@code auto} never builds an entry, {@code on} does.
 */
class PredictCacheTest {

  private static final int N = 3000;

  @TempDir
  Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LocalRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private Path csv(String name) throws IOException {
    Random rnd = new Random(8);
    StringBuilder s = new StringBuilder("a,b,y\n");
    for (int i = 0; i < N; i++) {
      double a = rnd.nextGaussian();
      double b = rnd.nextGaussian();
      s.append(a).append(',').append(b).append(',')
          .append(2 * a - b + 0.5 + 0.1 * rnd.nextGaussian()).append('\n');
    }
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
    return p;
  }

  private Path train(Path data, String cache, String... extra) {
    return trainOn(data, "a,b", "y", cache, extra);
  }

  private Path trainOn(Path data, String features, String target, String cache,
      String... extra) {
    Path run = dir.resolve("run-" + cache);
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--features",
        features, "--target", target, "--chunk-size", "128", "--steps", "5", "--learning-rate", "0.1",
        "--run-dir", run.toString(), "--cache", cache, "--cache-dir",
        dir.resolve("cache").toString()));
    args.addAll(List.of(extra));
    Result r = run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    return run;
  }

  /** Predicts into {@code out}; returns its bytes and the rows parsed from files. */
  private Scored predict(Path run, Path data, String out, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("predict", run.toString(), "--data",
        data.toString(), "--cache-dir", dir.resolve("cache").toString(), "--out",
        dir.resolve(out).toString()));
    args.addAll(List.of(extra));
    long before = PredictInput.ROWS_READ.sum();
    Result r = run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    return new Scored(Files.readAllBytes(dir.resolve(out)), PredictInput.ROWS_READ.sum() - before,
        r.out().lines().skip(1).toList(), r.err());
  }

  /** An output's bytes, the rows parsed, the evaluation lines, stderr. */
  private record Scored(byte[] bytes, long parsed, List<String> evaluation, String err) {}

  private List<Path> entries() throws IOException {
    Path cache = dir.resolve("cache");
    if (!Files.isDirectory(cache)) {
      return List.of();
    }
    try (var list = Files.list(cache)) {
      return list.filter(p -> p.toString().endsWith(".cols")).toList();
    }
  }

  @Test
  void theCacheGivesTheSameBytesAndParsesNoRow() throws IOException {
    Path data = csv("d.csv");
    Path run = train(data, "on");
    assertEquals(1, entries().size(), "training built the entry");
    Scored parsed = predict(run, data, "parsed.csv", "--cache", "off");
    assertEquals(N, parsed.parsed());
    Scored cached = predict(run, data, "cached.csv");
    assertEquals(0, cached.parsed(), "auto used the run's entry: " + cached.err());
    assertTrue(cached.err().contains("row(s) from the column cache"), cached.err());
    assertArrayEquals(parsed.bytes(), cached.bytes());
    assertEquals(parsed.evaluation(), cached.evaluation(), "the same loss");
    assertTrue(cached.evaluation().get(0).startsWith("loss "), cached.evaluation().toString());
    // The key holds no path: the same bytes elsewhere (as two files, here one moved copy).
    Path copy = Files.copy(data, Files.createDirectories(dir.resolve("moved")).resolve("d.csv"));
    Scored moved = predict(run, copy, "moved.csv");
    assertEquals(0, moved.parsed(), moved.err());
    assertArrayEquals(parsed.bytes(), moved.bytes());
    Scored kept = predict(run, data, "kept.csv", "--keep-columns");
    assertEquals(N, kept.parsed(), "--keep-columns copies the files' cells: it reads them");
  }

  /** Rows {@code [from, to)} of a 3-class problem as Parquet, in row groups of 100 rows. */
  private void parquet(Path p, int from, int to) throws IOException {
    MessageType type = MessageTypeParser.parseMessageType(
        "message t { required double x; required int32 k; required int32 c; }");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    Random rnd = new Random(from);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(p))
        .withConf(new PlainParquetConfiguration()).withCodecFactory(new PureJavaCodecs())
        .withType(type).withRowGroupRowCountLimit(100).build()) {
      for (int i = from; i < to; i++) {
        double x = rnd.nextGaussian();
        int k = rnd.nextInt(7) - 3;
        int c = x + 0.2 * k < -0.5 ? 0 : x + 0.2 * k < 0.5 ? 1 : 2;
        w.write(groups.newGroup().append("x", x).append("k", k).append("c", c));
      }
    }
  }

  @Test
  void aClassifierOnParquetFilesScoresTheSameFromTheCache() throws IOException {
    Path parts = Files.createDirectories(dir.resolve("parts"));
    parquet(parts.resolve("part-0.parquet"), 0, 700);
    parquet(parts.resolve("part-1.parquet"), 700, 1000);
    Path run = trainOn(parts, "x,k", "c", "on", "--model", "softmax", "--classes", "3");
    Scored parsed = predict(run, parts, "parsed.csv", "--cache", "off");
    assertEquals(1000, parsed.parsed());
    Scored cached = predict(run, parts, "cached.csv");
    assertEquals(0, cached.parsed(), cached.err());
    assertArrayEquals(parsed.bytes(), cached.bytes());
    assertEquals(parsed.evaluation(), cached.evaluation(), "loss, accuracy, confusion matrix");
    assertTrue(cached.evaluation().stream().anyMatch(l -> l.startsWith("accuracy ")),
        cached.evaluation().toString());
    // One of the two files alone is other data: parsed.
    assertEquals(700, predict(run, parts.resolve("part-0.parquet"), "one.csv").parsed());
  }

  @Test
  void dataChangedSinceTheRunAreParsedNotTakenFromTheCache() throws IOException {
    Path data = csv("d.csv");
    Path run = train(data, "on");
    Scored before = predict(run, data, "before.csv");
    assertEquals(0, before.parsed(), before.err());
    // One digit of one value changes; the file keeps its size.
    String text = Files.readString(data);
    int at = text.indexOf('\n', text.length() / 2) + 3;
    char d = text.charAt(at);
    assertTrue(Character.isDigit(d), "a digit at " + at);
    Files.writeString(data, text.substring(0, at) + (d == '7' ? '8' : '7')
        + text.substring(at + 1));
    Scored after = predict(run, data, "after.csv");
    assertEquals(N, after.parsed(), "changed data are parsed: " + after.err());
    assertTrue(after.err().contains("differs from the data run"), after.err());
    assertFalse(java.util.Arrays.equals(before.bytes(), after.bytes()),
        "the changed row is scored as it is now");
    assertArrayEquals(predict(run, data, "off.csv", "--cache", "off").bytes(), after.bytes());
  }

  @Test
  void aDamagedEntryIsParsedAroundWithAutoAndRebuiltWithOn() throws IOException {
    Path data = csv("d.csv");
    Path run = train(data, "on");
    byte[] expected = predict(run, data, "parsed.csv", "--cache", "off").bytes();
    // A damaged copy replaces the entry (another inode: this JVM's training mapped and
    // checked the old one, which a new predict process would not have).
    Path entry = entries().get(0);
    Path damaged = dir.resolve("damaged.cols");
    Files.copy(entry, damaged);
    try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
      long at = f.length() - 8 * 100; // a target value near the end
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
    Files.move(damaged, entry, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Scored auto = predict(run, data, "auto.csv");
    assertEquals(N, auto.parsed(), auto.err());
    assertTrue(auto.err().contains("checksum differs"), auto.err());
    assertArrayEquals(expected, auto.bytes());
    Scored on = predict(run, data, "on.csv", "--cache", "on");
    assertEquals(0, on.parsed(), on.err());
    assertTrue(on.err().contains("building it again"), on.err());
    assertArrayEquals(expected, on.bytes());
  }

  @Test
  void autoNeverBuildsAnEntryOnDoes() throws IOException {
    Path data = csv("d.csv");
    Path run = train(data, "off");
    assertEquals(List.of(), entries());
    Scored auto = predict(run, data, "auto.csv");
    assertEquals(N, auto.parsed());
    assertEquals(List.of(), entries(), "auto builds no entry for predict");
    Scored on = predict(run, data, "on.csv", "--cache", "on");
    assertEquals(0, on.parsed(), on.err());
    assertEquals(1, entries().size());
    assertArrayEquals(auto.bytes(), on.bytes());
    // Other data than the run's (fewer rows): no entry, parsed, also with on.
    List<String> lines = Files.readAllLines(data);
    Path part = dir.resolve("part.csv");
    Files.write(part, lines.subList(0, 101));
    Scored other = predict(run, part, "other.csv", "--cache", "on");
    assertEquals(100, other.parsed());
    assertEquals(1, entries().size());
  }

  @Test
  void aBadCacheOptionIsOneLineExitTwo() throws IOException {
    Path data = csv("d.csv");
    Path run = train(data, "off");
    Result r = run("predict", run.toString(), "--data", data.toString(), "--cache", "maybe");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--cache must be on, off or auto, got 'maybe'"), r.err());
  }
}
