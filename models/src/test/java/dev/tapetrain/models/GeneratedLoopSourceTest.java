package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Java source the tape's row-loop generator writes for a softmax and an MLP program is the
 * one recorded in {@code loops/*.java.txt}, character for character: a refactoring of the
 * generator must not change the generated code (nor, so, the keys of precompiled loops).
 * To record them again after a deliberate change, run with {@code -Dloops.record=true}.
 */
class GeneratedLoopSourceTest {

  @Test
  void softmaxLoopSourceIsTheRecordedOne() throws Exception {
    assertRecorded("softmax-4x3.java.txt", Models.create("softmax", 4, 3, 42, Map.of()), 4);
  }

  @Test
  void mlpClassifierLoopSourceIsTheRecordedOne() throws Exception {
    assertRecorded("mlp-4x3-hidden6.java.txt",
        Models.create("mlp", 4, 3, 42, Map.of("hidden", "6")), 4);
  }

  @Test
  void mlpRegressionLoopSourceIsTheRecordedOne() throws Exception {
    assertRecorded("mlp-3-hidden5.java.txt",
        Models.create("mlp", 3, 0, 9, Map.of("hidden", "5")), 3);
  }

  private static void assertRecorded(String file, Model model, int features) throws Exception {
    SplittableRandom random = new SplittableRandom(1);
    int n = 11;
    double[][] x = new double[features][n];
    for (double[] column : x) {
      for (int i = 0; i < n; i++) {
        column[i] = random.nextDouble(-2, 2);
      }
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = model.classes() == 0 ? random.nextDouble(-2, 2) : random.nextInt(model.classes());
    }
    List<double[]> values = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      double[] v = new double[p.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = random.nextDouble(-1, 1);
      }
      values.add(v);
    }
    CompiledModel compiled = CompiledModel.compile(model, x, y, values, true);
    assertNotNull(compiled, file + ": did not compile");
    String source = compiled.function().source();
    if (Boolean.getBoolean("loops.record")) {
      Files.writeString(Path.of("src/test/resources/dev/tapetrain/models/loops", file), source);
      return;
    }
    try (InputStream in = GeneratedLoopSourceTest.class.getResourceAsStream("loops/" + file)) {
      assertNotNull(in, "no recorded source loops/" + file);
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), source, file);
    }
  }
}
