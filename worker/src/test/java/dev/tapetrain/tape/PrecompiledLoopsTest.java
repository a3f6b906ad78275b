package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.worker.shard.LinearModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The loops compiled ahead of time are exactly what the generator produces today: if the
 * generator or the model changes, this fails and prints the new source to copy into the class.
 */
class PrecompiledLoopsTest {

  private static final double[] X = {0.5, -1.0, 2.0, 3.5, -0.25, 1.0, 4.0};
  private static final double[] Y = {2.0, -1.5, 8.0, 12.0, 1.0, 5.5, 14.5};

  @Test
  void theLinearModelsLoopIsACopyOfTheGeneratedSource() throws Exception {
    String source = new LinearModel(1).compileSums(X, Y).source();
    String file = Files.readString(Path.of(
        "../tape/src/main/java/dev/tapetrain/tape/LinearSquaredErrorLoop.java"));
    String body = source.substring(source.indexOf("{\n") + 2, source.stripTrailing()
        .lastIndexOf('}'));
    String marker = "// ---- generated: do not edit";
    String copy = file.substring(file.indexOf('\n', file.indexOf(marker)) + 1,
        file.stripTrailing().lastIndexOf('}'));
    assertEquals(body, copy, "LinearSquaredErrorLoop differs from the generated loop; its body "
        + "must be:\n" + body);
    assertEquals(PrecompiledLoops.sha256(source), LinearSquaredErrorLoop.SOURCE_SHA256,
        "update SOURCE_SHA256");
  }

  @Test
  void theLinearModelNeedsNoCompilerAndAnotherFunctionDoes() throws Exception {
    CompiledFunction f = new LinearModel(1).compileSums(X, Y, false);
    assertTrue(f != null && f.precompiled(), "the linear model's loop is precompiled");
    CompiledFunction.Body other = (v, s) -> new Tensor[] {
        Ops.sum(Ops.mul(Ops.exp(v[0]), s[0]))};
    assertNull(CompiledFunction.compile(other, new double[][] {X}, new double[] {2.0}, false),
        "without a compiler, a function with no precompiled loop is not compiled");
    CompiledFunction compiled = CompiledFunction.compile(other, new double[][] {X},
        new double[] {2.0}, true);
    assertTrue(!compiled.precompiled(), "compiled at run time");
  }
}
