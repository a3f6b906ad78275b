package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code inspect} cannot do is refused in one line with exit code 2 before anything is
 * printed, never silently dropped (new-user round, 2026-12-07): a --plot file in a missing
 * directory or not named .png, a third run directory, and the one-run options with two.
 */
class InspectRefusalsTest {

  @TempDir
  static Path dir;

  private static Path a;
  private static Path b;

  @BeforeAll
  static void train() {
    a = dir.resolve("a");
    b = dir.resolve("b");
    for (Path run : List.of(a, b)) {
      Runs.Result r = Runs.run("--steps", "5", "--run-dir", run.toString());
      assertEquals(0, r.exitCode(), r.err());
    }
  }

  /** Exit 2, nothing on stdout, exactly {@code line} on stderr. */
  private static void assertRefused(Runs.Result r, String line) {
    assertEquals(2, r.exitCode(), r.err());
    assertEquals("", r.out(), "nothing printed before the refusal");
    assertEquals(List.of(line), r.err().lines().toList());
  }

  @Test
  void aPlotInAMissingDirectoryIsRefusedBeforeTheSummary() {
    Path png = dir.resolve("nodir").resolve("x.png");
    Runs.Result r = Runs.run("inspect", a.toString(), "--plot", png.toString());
    assertRefused(r, "inspect: --plot " + png + ": no such directory " + png.getParent());
    assertFalse(Files.exists(png.getParent()));
  }

  @Test
  void aPlotNotNamedPngIsRefused() {
    Path jpg = dir.resolve("x.jpg");
    Runs.Result r = Runs.run("inspect", a.toString(), "--plot", jpg.toString());
    assertRefused(r, "inspect: --plot " + jpg + ": the plot is a PNG; name a .png file");
    assertFalse(Files.exists(jpg));
  }

  @Test
  void aThirdRunAndOneRunOptionsWithTwoAreRefused() {
    Runs.Result r = Runs.run("inspect", a.toString(), b.toString(), a.toString());
    assertRefused(r, "inspect: at most two run directories (got 3)");
    String tail = " takes one run directory (got 2: comparing them has only the text form)";
    Path png = dir.resolve("cmp.png");
    for (List<String> option : List.of(List.of("--format", "json"),
        List.of("--plot", png.toString()), List.of("--follow"), List.of("--every", "2"))) {
      String[] args = java.util.stream.Stream.concat(
          java.util.stream.Stream.of("inspect", a.toString(), b.toString()), option.stream())
          .toArray(String[]::new);
      String name = option.get(0).equals("--format") ? "--format json" : option.get(0);
      assertRefused(Runs.run(args), "inspect: " + name + tail);
    }
    assertFalse(Files.exists(png));
    r = Runs.run("inspect", a.toString(), b.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("identical (5 logged steps in common, bit for bit)", r.out().strip());
  }
}
