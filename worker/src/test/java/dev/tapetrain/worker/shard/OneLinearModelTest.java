package dev.tapetrain.worker.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tapetrain.data.Chunk;
import dev.tapetrain.data.SampleGenerator;
import dev.tapetrain.models.LinearRegression;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelGradients;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Models;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.protocol.CoordinatorProtocol.ChunkResult;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The tutorial's model is trained by one implementation, its {@link Model}: a worker's compiled
 * loop computes that model's program, so editing the model changes what is trained.
 */
class OneLinearModelTest {

  // Chunks of 37: full chunks, a last chunk of 1 (1000 = 27·37 + 1) and lane tails.
  private static final DatasetSpec.Source SOURCE =
      DatasetSpec.Source.synthetic(1000, List.of(3.0), 2.0, 1.0, 7);
  private static final DatasetSpec DATASET = new DatasetSpec(SOURCE, 37);
  private static final List<Integer> ALL =
      IntStream.range(0, DATASET.numChunks()).boxed().toList();
  private static final String HALF = "test-half-squared-error";

  @Test
  void aWorkerRunsTheLinearModelsOwnProgramCompiledFromTheFirstStep() {
    ShardEvaluator evaluator = new ShardEvaluator(DATASET); // the default schedule
    List<NamedTensor> params = params(4.7, -1.3);
    List<ChunkResult> results = evaluator.evaluate(params, ALL);
    assertTrue(evaluator.isCompiled(), "the linear model's loop is precompiled");
    Model linear = evaluator.model();
    List<double[]> values = List.of(new double[] {4.7}, new double[] {-1.3});
    for (ChunkResult r : results) {
      Chunk data = SampleGenerator.generate(SampleGenerator.Params.of(SOURCE), r.chunk(), DATASET.chunkStart(r.chunk()),
          DATASET.chunkLength(r.chunk()));
      ModelGradients.Sums eager = ModelGradients.of(linear, values,
          Tensor.matrix(data.size(), 1, data.x()[0]), Tensor.vector(data.y()));
      assertBits(eager.lossSum(), r.lossSum(), "loss of chunk " + r.chunk());
      assertBits(eager.gradients().get(0)[0], NamedTensor.find(r.gradients(), "w").scalarValue(),
          "dW of chunk " + r.chunk());
      assertBits(eager.gradients().get(1)[0], NamedTensor.find(r.gradients(), "b").scalarValue(),
          "dB of chunk " + r.chunk());
    }
  }

  @Test
  void aModelBuiltLikeTheLinearOneWithAnotherLossTrainsToOtherNumbers() {
    double[] linearCompiled = train(ModelSpec.LINEAR, 0);
    double[] linearEager = train(ModelSpec.LINEAR, Long.MAX_VALUE);
    double[] halfCompiled = train(HALF, 0);
    double[] halfEager = train(HALF, Long.MAX_VALUE);
    for (int k = 0; k < 2; k++) {
      assertBits(linearEager[k], linearCompiled[k], "linear, parameter " + k);
      assertBits(halfEager[k], halfCompiled[k], "half the squared error, parameter " + k);
      assertNotEquals(linearCompiled[k], halfCompiled[k], "parameter " + k);
    }
  }

  /** W and B after 20 steps of gradient descent (rate 0.01) on the mean of the loss. */
  private static double[] train(String model, long compileAfterSamples) {
    ModelSpec spec = new ModelSpec(model, 0, 42, Map.of());
    ShardEvaluator evaluator = new ShardEvaluator(DATASET, spec, compileAfterSamples);
    double w = 5.0;
    double b = 10.0;
    for (int step = 0; step < 20; step++) {
      double gw = 0;
      double gb = 0;
      for (ChunkResult r : evaluator.evaluate(params(w, b), ALL)) {
        gw += NamedTensor.find(r.gradients(), "w").scalarValue();
        gb += NamedTensor.find(r.gradients(), "b").scalarValue();
      }
      w -= 0.01 * gw / 1000;
      b -= 0.01 * gb / 1000;
    }
    assertEquals(compileAfterSamples == 0, evaluator.isCompiled(), model);
    return new double[] {w, b};
  }

  private static List<NamedTensor> params(double w, double b) {
    return List.of(NamedTensor.scalar("w", w), NamedTensor.scalar("b", b));
  }

  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
        what + ": " + expected + " vs " + actual);
  }

  /** The built-in linear model with half its squared error (registered for this test). */
  public static final class HalfSquaredErrorFactory implements ModelFactory {
    private static final ModelFactory LINEAR = new LinearRegression();

    @Override
    public String name() {
      return HALF;
    }

    /** The linear model's own settings ({@code init-w}, {@code init-b}). */
    @Override
    public List<Setting> settings() {
      return LINEAR.settings();
    }

    @Override
    public Model create(ModelOptions options) {
      Model linear = Models.create(LINEAR, options);
      return new Model() {
        @Override
        public List<Parameter> parameters() {
          return linear.parameters();
        }

        @Override
        public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
          return Ops.mul(linear.lossSum(p, x, y), Tensor.scalar(0.5));
        }

        @Override
        public Tensor predict(Map<String, Tensor> p, Tensor x) {
          return linear.predict(p, x);
        }
      };
    }
  }
}
