package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bits of every built-in model, pinned across refactorings. The determinism tests compare
 * worker counts within one build; these digests were recorded with the build of 2026-12-06
 * (commit baea187, before the code was reshaped into the tape/models/worker modules) and must
 * never move unless a change of numerics is announced. Each digest is the run's chained step
 * digest after its last step: every loss, parameter and gradient bit of every step enters it
 * (see {@code StepRecord.chain}).
 *
 * <p>Numerics version 2 (issue 27) moved the digests of the jobs that compute exp or tanh
 * (logistic, softmax, MLP); the linear ones did not move. Their independent check: the last
 * step of each, as the version-1 build computed it with StrictMath's functions
 * ({@code golden/numerics-1-last-steps.jsonl}, written by commit bb4bfb2 with these options and
 * the digests this class pinned before), agrees with today's to
 * {@link NumericsVersionTest#AGREEMENT} relative in its loss, gradient norm and every parameter.
 */
class GoldenDigestsTest {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // the tutorial's job on the precompiled loop; its bits are also README's W and B
      "linear | --steps 30 | c203fbbf63494169",
      "linear-3-features | --steps 30 --true-w 1,-2,0.5 --init-w 0 | e6fd20c2acf0e70d",
      "linear-momentum-l2 | --steps 30 --optimizer momentum --nesterov --l2 0.01 | 2173a925847fc5ad",
      "linear-adam-batches | --steps 30 --optimizer adam --learning-rate 0.1 --batch-fraction 0.5 | b8def8617a90d9a5",
      "logistic | --steps 30 --model logistic --true-w 2,-1 --learning-rate 0.5 | 7117de1857e32955",
      "softmax | --steps 30 --model softmax --classes 3 --true-w 1,2 --learning-rate 0.5 | 111be72028315836",
      "mlp-regression | --steps 30 --model mlp --hidden 8 --learning-rate 0.05 | d24bd6187969b4c0",
      "linear-large | --steps 5 --examples 100000 | 54eebe014520c179",
      "csv-linear-2-features | --steps 20 --data DATA --features a,b --target y --init-w 0 | fc2af47129d528f3",
      "csv-softmax | --steps 20 --model softmax --data DATA --features a,b --target k --learning-rate 0.5 | 9c550690d0373f12",
      "mlp-classes | --steps 30 --model mlp --hidden 6 --classes 3 --true-w 1,-1 --learning-rate 0.3 | 5e7bdd362ef1be31",
  })
  void everyBuiltInModelKeepsItsBits(String name, String options, String digest)
      throws Exception {
    Path run = dir.resolve(name);
    List<String> args = new ArrayList<>();
    for (String a : options.trim().split(" +")) {
      args.add(a.equals("DATA") ? csv().toString() : a);
    }
    args.addAll(List.of("--workers", "3", "--run-dir", run.toString()));
    Runs.Result r = Runs.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = Files.readAllLines(run.resolve("steps.jsonl"));
    JsonNode last = Json.MAPPER.readTree(lines.get(lines.size() - 1));
    assertEquals(digest, last.get("digest").asText(), name + ": " + last);
    JsonNode strict = NUMERICS_1.get(name);
    if (strict != null) {
      assertEquals(strict.get("step"), last.get("step"));
      NumericsVersionTest.assertAgree(strict, last, name + " against StrictMath's run");
    }
  }

  /** The last steps of the jobs whose bits numerics version 2 moved, as version 1 made them. */
  private static final java.util.Map<String, JsonNode> NUMERICS_1 = numericsOne();

  private static java.util.Map<String, JsonNode> numericsOne() {
    java.util.Map<String, JsonNode> lines = new java.util.HashMap<>();
    try (java.io.InputStream in = GoldenDigestsTest.class.getResourceAsStream(
        "/golden/numerics-1-last-steps.jsonl")) {
      for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .split("\n")) {
        JsonNode n = Json.MAPPER.readTree(line);
        lines.put(n.get("job").asText(), n);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return lines;
  }

  /**
   * A CSV file whose every value follows from its row number (no generator that could change):
   * a = (i mod 17) / 4 − 2, b = (i mod 11) / 3 − 1.5, y = 3a − 2b + 1 + ((i·7919) mod 13 − 6) / 10,
   * k = 0, 1 or 2 by the sign bands of y. Written with Double.toString, which reads back exactly.
   */
  private Path csv() throws java.io.IOException {
    Path file = dir.resolve("data.csv");
    if (!Files.exists(file)) {
      StringBuilder s = new StringBuilder("a,b,y,k\n");
      for (int i = 0; i < 700; i++) {
        double a = (i % 17) / 4.0 - 2;
        double b = (i % 11) / 3.0 - 1.5;
        double y = 3 * a - 2 * b + 1 + ((i * 7919L) % 13 - 6) / 10.0;
        int k = y < -1 ? 0 : y < 3 ? 1 : 2;
        s.append(a).append(',').append(b).append(',').append(y).append(',').append(k)
            .append('\n');
      }
      Files.writeString(file, s);
    }
    return file;
  }
}
