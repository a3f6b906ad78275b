package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.models.CompiledModel;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Parameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The warm-up of a loop compiled ahead: it runs the loop on made-up samples so that HotSpot
 * compiles it before the first round, and gets out of the way: once per loop in a JVM, never
 * once an evaluation has begun, with made-up columns of bounded size whatever the input width,
 * and not for models of many parameters. The clock it reads is {@link LoopPrefetch}'s.
 */
class LoopWarmUpTest {

  /** The built-in MLP of {@code hidden} units on 3 features (a width per test: its own loop). */
  private static Model mlp(int hidden) {
    return Models.create("mlp", 3, 0, 42, Map.of("hidden", "" + hidden));
  }

  private static CompiledModel compiled(Model model) throws Exception {
    CompiledModel loop = CompiledModel.compile(model, new double[3][8], new double[8],
        values(model), true);
    assertNotNull(loop, "the MLP compiles");
    return loop;
  }

  private static List<double[]> values(Model model) {
    return model.parameters().stream().map(Parameter::initial).toList();
  }

  @Test
  void aLoopIsWarmedUpOncePerJvm() throws Exception {
    Model model = mlp(23);
    CompiledModel loop = compiled(model);
    long first = LoopWarmUp.warm(loop, 3, values(model), () -> false);
    assertTrue(first > 0 && first <= LoopWarmUp.SAMPLES, "warmed on " + first);
    assertEquals(0, LoopWarmUp.warm(loop, 3, values(model), () -> false),
        "a second worker of the JVM finds it warm");
  }

  @Test
  void aWarmUpStopsOnceTheWorkerEvaluates() throws Exception {
    Model model = mlp(24);
    assertEquals(0, LoopWarmUp.warm(compiled(model), 3, values(model), () -> true),
        "the first round has begun: no warm-up beside it");
  }

  @Test
  void anEvaluationThatBeginsStopsTheWarmUpsBegunBeforeIt() throws Exception {
    long before = System.nanoTime();
    Model model = mlp(25);
    ModelCompilation compilation = new ModelCompilation(model, ShardEvaluator.DEFAULT_COMPILE);
    compilation.compiled(8, null, 0, 0, values(model)); // a worker's first evaluation
    assertTrue(LoopPrefetch.evaluatedSince(before), "the evaluation set the clock");
    assertTrue(!LoopPrefetch.evaluatedSince(System.nanoTime() + 1), "none since");
    assertEquals(0, LoopWarmUp.warm(compiled(model), 3, values(model),
        () -> LoopPrefetch.evaluatedSince(before)), "no warm-up beside it");
  }

  @Test
  void aModelOfManyParametersIsNotWarmedUp() throws Exception {
    Model wide = Models.create("mlp", 3, 0, 42, Map.of("hidden", "4000")); // 20 001 values
    assertTrue(compiled(wide).parameterValues() > LoopWarmUp.MAX_PARAMETERS);
    assertEquals(0, LoopWarmUp.warm(compiled(wide), 3, values(wide), () -> false));
  }

  @Test
  void aWideInputWarmsUpOnFewerSamplesAPass() {
    assertEquals(1024, LoopWarmUp.columnSamples(1));
    assertEquals(1024, LoopWarmUp.columnSamples(50));
    assertEquals(512, LoopWarmUp.columnSamples(2000)); // 2^20 / 2001 = 524: whole ranges of 128
    assertEquals(128, LoopWarmUp.columnSamples(8000)); // one range: 8 MB
    assertEquals(0, LoopWarmUp.columnSamples(9000)); // one range would be 9.2 MB: none
  }
}
