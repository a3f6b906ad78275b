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
 * once the worker evaluates, and with made-up columns of bounded size whatever the input width.
 */
class LoopPrefetchTest {

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
    long first = LoopPrefetch.warm(loop, 3, values(model), () -> false);
    assertTrue(first > 0 && first <= LoopPrefetch.WARM_SAMPLES, "warmed on " + first);
    assertEquals(0, LoopPrefetch.warm(loop, 3, values(model), () -> false),
        "a second worker of the JVM finds it warm");
  }

  @Test
  void aWarmUpStopsOnceTheWorkerEvaluates() throws Exception {
    Model model = mlp(24);
    assertEquals(0, LoopPrefetch.warm(compiled(model), 3, values(model), () -> true),
        "the first round has begun: no warm-up beside it");
  }

  @Test
  void aWideInputWarmsUpOnFewerSamplesAPass() {
    assertEquals(1024, LoopPrefetch.passSamples(1));
    assertEquals(1024, LoopPrefetch.passSamples(50));
    assertEquals(512, LoopPrefetch.passSamples(2000)); // 2^20 / 2001 = 524: whole ranges of 128
    assertEquals(128, LoopPrefetch.passSamples(8000)); // one range: 8 MB
    assertEquals(0, LoopPrefetch.passSamples(9000)); // one range would be 9.2 MB: none
  }
}
