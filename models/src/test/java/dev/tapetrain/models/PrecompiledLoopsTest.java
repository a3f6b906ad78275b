package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The loops compiled ahead of time are exactly what the generator produces today for the
 * built-in models' own programs: if the generator or the model changes, this fails and prints
 * the new source to copy into the class.
 */
class PrecompiledLoopsTest {

  private static final double[][] X = {{0.5, -1.0, 2.0, 3.5, -0.25, 1.0, 4.0}};
  private static final double[] Y = {2.0, -1.5, 8.0, 12.0, 1.0, 5.5, 14.5};
  private static final List<double[]> WB = List.of(new double[] {5.0}, new double[] {10.0});

  private static CompiledModel linear(boolean compileAtRunTime) throws Exception {
    return CompiledModel.compile(CompiledModelTest.linear(1), X, Y, WB,
        compileAtRunTime);
  }

  @Test
  void theLinearModelsLoopIsACopyOfTheGeneratedSource() throws Exception {
    String source = linear(true).function().source();
    String file = Files.readString(Path.of(
        "src/main/java/dev/tapetrain/models/LinearSquaredErrorLoop.java"));
    String body = source.substring(source.indexOf("{\n") + 2, source.stripTrailing()
        .lastIndexOf('}'));
    String marker = "// ---- generated: do not edit";
    String copy = file.substring(file.indexOf('\n', file.indexOf(marker)) + 1,
        file.stripTrailing().lastIndexOf('}'));
    assertEquals(body, copy, "LinearSquaredErrorLoop differs from the generated loop; its body "
        + "must be:\n" + body);
    assertEquals(linear(true).function().sourceSha256(), LinearSquaredErrorLoop.SOURCE_SHA256,
        "update SOURCE_SHA256");
  }

  @Test
  void theLinearModelNeedsNoCompilerAndAnotherModelDoes() throws Exception {
    CompiledModel f = linear(false);
    assertTrue(f != null && f.function().precompiled(), "the linear model's loop is precompiled");
    // A loss no other test compiles: a loop compiled earlier in this JVM needs no compiler.
    Model other = new CompiledModelTest.HalfSquaredError() {
      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        return Ops.mul(super.lossSum(p, x, y), Tensor.scalar(0.125));
      }
    };
    assertNull(CompiledModel.compile(other, X, Y, WB, false),
        "without a compiler, a model with no precompiled loop is not compiled");
    CompiledModel compiled = CompiledModel.compile(other, X, Y, WB, true);
    assertFalse(compiled.function().precompiled(), "compiled at run time");
  }
}
