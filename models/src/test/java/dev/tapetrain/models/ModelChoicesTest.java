package dev.tapetrain.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.tape.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Choosing a model by name: the built-ins' initial parameters from the seed, one clear refusal
 * per bad choice, and a user's model found on the class path (registered as a service).
 */
class ModelChoicesTest {

  private static final int F = 3;
  private static final int K = 4;
  private static final int HIDDEN = 5;

  private static Model model(String name, int classes) {
    return model(name, classes, 42);
  }

  /** The built-in model {@code name} on F features (an MLP of HIDDEN units). */
  private static Model model(String name, int classes, long seed) {
    return Models.create(name, F, classes, seed,
        name.equals("mlp") ? java.util.Map.of("hidden", Integer.toString(HIDDEN))
            : java.util.Map.of());
  }

  @Test
  void mlpWeightsAreGlorotUniformFromTheSeedAndBiasesZero() {
    Model a = model("mlp", 0);
    Model b = model("mlp", 0);
    Model other = model("mlp", 0, 43);
    assertEquals(a.parameters(), b.parameters(), "the same seed draws the same weights");
    assertNotEquals(a.parameters().get(0), other.parameters().get(0));
    double limit = Math.sqrt(6.0 / (F + HIDDEN));
    double[] w1 = a.parameters().get(0).initial();
    double mean = 0;
    for (double v : w1) {
      assertTrue(Math.abs(v) <= limit, v + " within ±" + limit);
      mean += v / w1.length;
    }
    assertTrue(Math.abs(mean) < limit / 2, "centred: mean " + mean);
    assertArrayEquals(new double[HIDDEN], a.parameters().get(1).initial());
    assertEquals(List.of("w1", "b1", "w2", "b2"),
        a.parameters().stream().map(Parameter::name).toList());
    assertTrue(a.parameters().get(0).weight() && !a.parameters().get(1).weight());
  }

  @Test
  void badModelChoicesNameTheProblem() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> model("forest", 0));
    assertTrue(unknown.getMessage().startsWith("--model: unknown model 'forest' (available: "
        + "linear, logistic, softmax, mlp"), unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> model("softmax", 0));
    assertThrows(IllegalArgumentException.class, () -> model("logistic", 3));
    assertThrows(IllegalArgumentException.class,
        () -> Models.create("mlp", F, 0, 42, java.util.Map.of("hidden", "0")));
    assertEquals("label 2.5 is not a class 0 … 3", model("softmax", K).checkTarget(2.5));
    assertEquals("label 2.0 is not a class 0 or 1", model("logistic", 0).checkTarget(2));
    assertEquals(null, model("logistic", 0).checkTarget(1));
  }

  @Test
  void aModelOnTheClassPathIsFoundByName() {
    assertTrue(Models.available().containsKey("test-quadratic"), Models.available().keySet()
        .toString());
    Model m = Models.create("test-quadratic", 1, 0, 42, java.util.Map.of());
    ModelGradients.Sums s = ModelGradients.of(m, List.of(new double[] {3}),
        Tensor.matrix(2, 1, new double[] {1, 2}), Tensor.vector(0, 0));
    // Σ (a·x)² = 9 + 36; d/da = Σ 2 a x² = 6 + 24.
    assertEquals(45, s.lossSum(), 1e-12);
    assertEquals(30, s.gradients().get(0)[0], 1e-12);
  }

  /**
   * A user's model that refuses its options in its own words: the line names the model (it was
   * only "needs at least 2 features, got 1"); one that names itself is left as it is.
   */
  @Test
  void aUsersModelRefusingItsOptionsIsNamed() {
    ModelFactory needsTwo = new ModelFactory() {
      @Override
      public String name() {
        return "needs-two";
      }

      @Override
      public Model create(ModelOptions options) {
        throw new IllegalArgumentException(options.features() < 2 ? "needs at least 2 features, "
            + "got " + options.features() : "needs-two: never");
      }
    };
    ModelOptions one = new ModelOptions(1, 0, 42,
        dev.tapetrain.spi.Settings.of(List.of(), java.util.Map.of(), s -> s));
    assertEquals("--model needs-two: needs at least 2 features, got 1", assertThrows(
        dev.tapetrain.spi.UserError.class, () -> Models.create(needsTwo, one)).getMessage());
    ModelOptions three = new ModelOptions(3, 0, 42,
        dev.tapetrain.spi.Settings.of(List.of(), java.util.Map.of(), s -> s));
    assertEquals("needs-two: never", assertThrows(dev.tapetrain.spi.UserError.class,
        () -> Models.create(needsTwo, three)).getMessage());
  }

  /** A user's model, as a test jar would ship it (registered in META-INF/services). */
  public static final class QuadraticFactory implements ModelFactory {
    @Override
    public String name() {
      return "test-quadratic";
    }

    @Override
    public Model create(ModelOptions options) {
      return new Model() {
        @Override
        public List<Parameter> parameters() {
          return List.of(new Parameter("a", new int[0], new double[] {1}, true));
        }

        @Override
        public Tensor lossSum(java.util.Map<String, Tensor> p, Tensor x, Tensor y) {
          return Losses.squaredErrorSum(predict(p, x), y);
        }

        @Override
        public Tensor predict(java.util.Map<String, Tensor> p, Tensor x) {
          return dev.tapetrain.tape.Ops.mul(
              dev.tapetrain.tape.MatrixOps.rowSum(x), p.get("a"));
        }
      };
    }
  }
}
