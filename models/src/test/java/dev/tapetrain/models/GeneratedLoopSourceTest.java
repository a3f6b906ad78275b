package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /**
   * The per-sample code is written once, in a method of its own whose size does not depend on
   * the number of features or classes: a 50 × 10 softmax's loop is as many lines as a 16 × 3
   * one's. One method holding the whole loop, its body twice (four lanes and the tail) and a
   * statement per feature, was compiled by HotSpot only through on-stack replacement, one inner
   * loop at a time, and ran 4–7 × slower than the eager tape for the first steps after the
   * run-time compile (a 1.3–9 s step in job E of {@code PeerBenchmark}); past 8000 bytes of
   * bytecode HotSpot would not compile it at all. The per-sample state lives in a frame of the
   * calling thread's own (threads share the loop), reused and reset on every call.
   */
  @Test
  void theLoopsPerSampleCodeIsOneMethodWhateverTheModelsWidth() throws Exception {
    // 16 features: its product, as the wider ones', by blocks (BlockProducts.MIN_FEATURES).
    String small = source(Models.create("softmax", 16, 3, 42, Map.of()), 16);
    String wide = source(Models.create("softmax", 50, 10, 42, Map.of()), 50);
    String wider = source(Models.create("mlp", 200, 10, 42, Map.of("hidden", "64")), 200);
    assertEquals(small.lines().count(), wide.lines().count(), wide);
    // A product's tile and a weight gradient's flush write one statement per element of a
    // tile (at most 10), never per feature or class.
    assertTrue(wide.length() < 8000, wide.length() + " characters:\n" + wide);
    assertTrue(wider.length() < 14000, wider.length() + " characters:\n" + wider);
    for (String source : List.of(wide, wider)) {
      assertEquals(1, occurrences(source, "void sample(int j) {"), source);
      assertEquals(2, occurrences(source, "sample(j);"), source); // the lanes' loop and the tail's
      assertEquals(1, occurrences(source, "Arithmetic.exp("), source);
      // The frame is the calling thread's own, made once and reset each call: a call allocates
      // nothing (no new frame, no new array in the frame's run or sample).
      assertEquals(1, occurrences(source, "new Frame()"), source);
      String perCall = source.substring(source.indexOf("    void run("));
      assertEquals(0, occurrences(perCall, "new double"), source);
    }
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  private static void assertRecorded(String file, Model model, int features) throws Exception {
    String source = source(model, features);
    if (Boolean.getBoolean("loops.record")) {
      Files.writeString(Path.of("src/test/resources/dev/tapetrain/models/loops", file), source);
      return;
    }
    try (InputStream in = GeneratedLoopSourceTest.class.getResourceAsStream("loops/" + file)) {
      assertNotNull(in, "no recorded source loops/" + file);
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), source, file);
    }
  }

  /** The source of {@code model}'s loop, compiled on 11 random samples. */
  private static String source(Model model, int features) throws Exception {
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
    assertNotNull(compiled, "did not compile");
    return compiled.function().source();
  }
}
