package dev.tapetrain.localrunner.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's model throws inside a run the Java API trains in the caller's JVM: fit() throws
 * the run's one-line failure as before, with the model's own exception (and its stack frames,
 * down to the user's line) as the cause, as PyTorch and Keras surface the original traceback.
 */
class TrainerModelErrorTest {

  @TempDir
  Path dir;

  /** Breaks in lossSum, in a method of its own that a stack trace names. */
  static final class Thrower implements ModelFactory {
    @Override
    public String name() {
      return "thrower";
    }

    @Override
    public Model create(ModelOptions options) {
      int f = options.features();
      return new Model() {
        @Override
        public List<Parameter> parameters() {
          return List.of(new Parameter("w", new int[] {f}, new double[f], true));
        }

        @Override
        public Tensor predict(Map<String, Tensor> p, Tensor x) {
          return Ops.matvec(x, p.get("w"));
        }

        @Override
        public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
          return brokenOnPurpose();
        }
      };
    }

    static Tensor brokenOnPurpose() {
      throw new IllegalStateException("my model is broken on purpose");
    }
  }

  @Test
  void theModelsExceptionIsTheCauseWithItsStackFrames() {
    TrainingFailedException e = assertThrows(TrainingFailedException.class,
        () -> Trainer.builder().model(new Thrower()).steps(5).runDir(dir.resolve("thrower"))
            .build().fit());
    assertEquals("failed", e.status());
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().startsWith("failed: model thrower failed "), e.getMessage());
    assertTrue(e.getMessage().endsWith("lossSum threw java.lang.IllegalStateException: my model "
        + "is broken on purpose"), e.getMessage());
    Throwable cause = e.getCause();
    assertNotNull(cause, "the model's exception");
    assertSame(IllegalStateException.class, cause.getClass());
    assertEquals("my model is broken on purpose", cause.getMessage());
    assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getClassName()
        .equals(Thrower.class.getName()) && f.getMethodName().equals("brokenOnPurpose")),
        Arrays.toString(cause.getStackTrace()));
    // taken: a later failure of another kind in this JVM does not get it
    TrainingFailedException diverged = assertThrows(TrainingFailedException.class,
        () -> Trainer.builder().learningRate(1e6).steps(50).runDir(dir.resolve("nan")).build()
            .fit());
    assertEquals(null, diverged.getCause());
  }
}
