package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Run directories written by the code of 2026-12-02 (src/test/resources/golden: 120 steps,
 * checkpoint at the end) still resume with today's code, to exactly the bits of one
 * uninterrupted run of 200 steps. If a change to the checkpoint, the config or the digest breaks
 * old runs, this fails.
 */
class GoldenRunTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({
      "linear-run-2026-12-02, ''",
      "softmax-run-2026-12-02, '--model softmax --classes 3 --learning-rate 0.5'"})
  void anOldRunResumesToTheBitsOfAnUninterruptedOne(String fixture, String options)
      throws Exception {
    Path run = dir.resolve(fixture);
    copy(Path.of(GoldenRunTest.class.getResource("/golden/" + fixture).toURI()), run);
    Runs.Result resumed = Runs.run("--resume", run.toString(), "--steps", "200");
    assertEquals(0, resumed.exitCode(), resumed.err());
    Path reference = dir.resolve("reference");
    List<String> args = new java.util.ArrayList<>(List.of("--steps", "200", "--checkpoint-every",
        "50", "--log-every", "10", "--run-dir", reference.toString()));
    if (!options.isEmpty()) {
      args.addAll(List.of(options.split(" ")));
    }
    assertEquals(0, Runs.run(args.toArray(String[]::new)).exitCode());
    // The old run also logged its last step (119); every step both logged is compared.
    List<Runs.Step> expected = Runs.steps(reference);
    assertEquals(expected, Runs.sameStepsAs(expected, Runs.steps(run)),
        "every logged step, bit for bit");
    assertEquals(Runs.summary(reference).get("params"), Runs.summary(run).get("params"));
  }

  private static void copy(Path from, Path to) throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
