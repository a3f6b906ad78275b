package dev.tapetrain.localrunner.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options that print local-runner's help or version are refused by the builder: given to
 * the parser, they were taken and the run trained the default 200 steps (new-user round).
 */
class TrainerHelpFlagTest {

  @TempDir
  Path dir;

  private static String refusal(String name) {
    return name + " prints local-runner's help or version and trains nothing; the Java API "
        + "takes only training options (see `java -jar local-runner.jar --help` for them)";
  }

  @Test
  void theBuilderRefusesEachHelpAndVersionOptionByName() {
    for (String name : new String[] {"--help", "-h", "--version", "-V"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Trainer.builder().flag(name));
      assertEquals(refusal(name), e.getMessage());
    }
    IllegalArgumentException valued = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().option("--help", "true"));
    assertEquals(refusal("--help"), valued.getMessage());
    IllegalArgumentException joined = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().flag("--version=true"));
    assertEquals(refusal("--version"), joined.getMessage());
  }

  /** Short options run together get past the builder; fit() refuses them before any run. */
  @Test
  void fitRefusesHelpTheBuilderCouldNotSee() {
    Path run = dir.resolve("help");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Trainer.builder().flag("-hV").runDir(run).build().fit());
    assertEquals(refusal("--help"), e.getMessage());
    assertFalse(Files.exists(run));
  }
}
