package com.example;

import dev.tapetrain.models.Losses;
import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A linear model whose factory takes seconds to answer which parameters to print flat the first
 * time it is asked (the run directory asks as it is made, after run.lock): a test sends its
 * signal while a run directory is being made, a window of under a second with real data.
 */
public final class SlowStartModel implements ModelFactory {

  /** How long the first answer takes. */
  public static final long PAUSE_MILLIS = 3000;

  private static final java.util.concurrent.atomic.AtomicBoolean ASKED =
      new java.util.concurrent.atomic.AtomicBoolean();

  @Override
  public String name() {
    return "test-slow-start";
  }

  @Override
  public List<String> flatParameters() {
    if (!ASKED.getAndSet(true)) {
      try {
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return List.of();
  }

  @Override
  public Model create(ModelOptions options) {
    int f = options.features();
    return new Model() {
      @Override
      public List<Parameter> parameters() {
        return List.of(new Parameter("w", new int[] {f}, new double[f], true),
            new Parameter("b", new int[0], new double[] {0}, false));
      }

      @Override
      public Tensor predict(Map<String, Tensor> p, Tensor x) {
        return Ops.add(Ops.matvec(x, p.get("w")), p.get("b"));
      }

      @Override
      public Tensor lossSum(Map<String, Tensor> p, Tensor x, Tensor y) {
        return Losses.squaredErrorSum(predict(p, x), y);
      }
    };
  }
}
