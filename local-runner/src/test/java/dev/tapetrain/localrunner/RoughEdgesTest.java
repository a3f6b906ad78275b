package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25's rough edges of the command line: each a clear line (exit code 2, nothing written)
 * instead of a silent overwrite, a stack trace's class name, a trail of empty directories or an
 * out-of-memory error; and the conveniences users asked for.
 */
class RoughEdgesTest {

  @TempDir
  Path dir;

  private Path trainedRun() throws Exception {
    Path csv = dir.resolve("data.csv");
    Files.writeString(csv, "x,y\n1,3\n2,5\n3,7\n4,9\n");
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--data", csv.toString(), "--steps", "5", "--run-dir",
        run.toString()).exitCode());
    return run;
  }

  private static void assertOneLine(Runs.Result r, String expected) {
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(r.err().contains("java."), "no exception class names: " + r.err());
  }

  @Test
  void predictAndExportRefuseOutputsTheyCannotOrMustNotWrite() throws Exception {
    Path run = trainedRun();
    Path csv = dir.resolve("data.csv");
    String before = Files.readString(csv);
    assertOneLine(Runs.run("predict", run.toString(), "--data", csv.toString(), "--out",
        csv.toString()), "--out " + csv + ": is the input file, which it would replace");
    assertEquals(before, Files.readString(csv), "the input is untouched");
    assertOneLine(Runs.run("predict", run.toString(), "--data", csv.toString(), "--out",
        dir.toString()), "--out " + dir + ": is a directory; name a file");
    assertOneLine(Runs.run("export", run.toString(), "--onnx", dir.toString()),
        "--onnx " + dir + ": is a directory; name a file");
    Path nowhere = dir.resolve("no/such/dir/preds.csv");
    assertOneLine(Runs.run("predict", run.toString(), "--data", csv.toString(), "--out",
        nowhere.toString()), "--out " + nowhere + ": no such directory");
    assertOneLine(Runs.run("export", run.toString(), "--onnx", nowhere.toString()),
        "--onnx " + nowhere + ": no such directory");
    // A name ending in '/' names a directory, even one that does not exist: it wrote a FILE
    // named dir-as-out (a Path drops the slash).
    String asDir = dir.resolve("dir-as-out") + "/";
    assertOneLine(Runs.run("predict", run.toString(), "--data", csv.toString(), "--out", asDir),
        "'" + asDir + "' ends in '/', so it names a directory; name a file");
    assertOneLine(Runs.run("export", run.toString(), "--onnx", asDir),
        "'" + asDir + "' ends in '/', so it names a directory; name a file");
    assertFalse(Files.exists(dir.resolve("dir-as-out")), "nothing written");
  }

  @Test
  void aRunDirectoryThatCannotBeCreatedLeavesNoEmptyParentsBehind() {
    Path parents = dir.resolve("a/b/c");
    Path run = parents.resolve("x".repeat(300)); // longer than any file name may be
    Runs.Result r = Runs.run("--steps", "1", "--run-dir", run.toString());
    assertOneLine(r, "--run-dir ");
    assertFalse(Files.exists(dir.resolve("a")), "the parents it made are gone");
  }

  @Test
  void featuresMayHoldCommasWhenQuotedOrBeEveryColumnButTheTarget() throws Exception {
    Path csv = dir.resolve("wide.csv");
    Files.writeString(csv, "\"a,1\",b,y\n1,0,3\n2,1,5\n3,0,7\n4,1,9\n");
    Path quoted = dir.resolve("quoted");
    Runs.Result r = Runs.run("--data", csv.toString(), "--features", "\"a,1\",b", "--steps", "3",
        "--init-w", "0", "--run-dir", quoted.toString());
    assertEquals(0, r.exitCode(), r.err());
    Path all = dir.resolve("all");
    r = Runs.run("--data", csv.toString(), "--features", "*", "--steps", "3", "--init-w", "0",
        "--run-dir", all.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode features = Json.MAPPER.readTree(all.resolve("config.json").toFile())
        .get("dataset").get("features");
    assertEquals("[\"a,1\",\"b\"]", features.toString());
    assertEquals(Runs.steps(quoted), Runs.steps(all), "the same columns, the same bits");
  }

  @Test
  void sizesThatCannotFitAreRefusedUpFrontNamingWhereTheyComeFrom() throws Exception {
    Path csv = dir.resolve("labels.csv");
    Files.writeString(csv, "x,y\n1,0\n2,1\n3,1000000000\n");
    assertOneLine(Runs.run("--model", "softmax", "--data", csv.toString(), "--run-dir",
        dir.resolve("r1").toString()), "the largest label of the data is 1.0E9, which would "
        + "make 1000000001 classes");
    assertOneLine(Runs.run("--model", "mlp", "--hidden", "1000000000", "--run-dir",
        dir.resolve("r2").toString()), "--model mlp: w1 [1, 1000000000] would need 7.5 GiB "
        + "(--hidden 1000000000)");
    assertFalse(Files.exists(dir.resolve("r1")) || Files.exists(dir.resolve("r2")));
  }

  @Test
  void aLargeModelsStepLinesAndConfigCarryNormsWhileTheSummaryKeepsTheValues() throws Exception {
    // mlp 3-200-1: 3·200 + 200 + 200 + 1 = 1001 values; at 2 KB of JSON per 100 values a line
    // with the values would be ~20 KB.
    Path run = dir.resolve("big");
    Runs.Result r = Runs.run("--model", "mlp", "--hidden", "200", "--true-w", "1,2,3",
        "--steps", "5", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
      assertTrue(line.length() < 2500, line.length() + " characters: " + line);
      JsonNode step = Json.MAPPER.readTree(line);
      assertFalse(step.has("params"));
      assertEquals(List.of("w1", "b1", "w2", "b2"), iterable(step.get("param_norms")));
    }
    JsonNode config = Json.MAPPER.readTree(run.resolve("config.json").toFile());
    assertTrue(Files.size(run.resolve("config.json")) < 4000);
    assertEquals("[3,200]", config.get("initial_param_shapes").get("w1").toString());
    JsonNode params = Runs.summary(run).get("params");
    assertEquals(200, params.get("w1").get(2).size(), "the summary keeps every value");
    // A small model's lines keep their values.
    Path small = dir.resolve("small");
    assertEquals(0, Runs.run("--model", "mlp", "--hidden", "4", "--steps", "2", "--run-dir",
        small.toString()).exitCode());
    assertTrue(Json.MAPPER.readTree(Files.readAllLines(small.resolve("steps.jsonl")).get(0))
        .has("params"));
    // The linear model's flat fields (w, grad_w) follow the same limit: 150 features.
    Path wide = dir.resolve("wide");
    String trueW = String.join(",", java.util.Collections.nCopies(150, "1"));
    assertEquals(0, Runs.run("--true-w", trueW, "--examples", "200", "--steps", "2",
        "--run-dir", wide.toString()).exitCode());
    for (String line : Files.readAllLines(wide.resolve("steps.jsonl"))) {
      JsonNode step = Json.MAPPER.readTree(line);
      assertTrue(step.has("param_norms") && !step.has("w") && !step.has("grad_w")
          && !step.has("b"), line.length() + " characters: " + line);
      assertTrue(line.length() < 2500, line.length() + " characters");
    }
    assertEquals(150, Runs.summary(wide).get("w").size(), "the summary keeps every value");
  }

  private static List<String> iterable(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aMistypedOptionGetsASuggestionAndHelpListsEveryExitCode() {
    Runs.Result r = Runs.run("--learning-rat", "0.1");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("did you mean --learning-rate?"), r.err());
    Runs.Result help = Runs.run("--help");
    for (String code : List.of("0", "1", "2", "3", "130")) {
      assertTrue(help.out().lines().anyMatch(l -> l.trim().startsWith(code + " ")), code
          + " in " + help.out());
    }
  }
}
