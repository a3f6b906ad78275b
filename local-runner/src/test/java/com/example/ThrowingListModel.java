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
 * A linear model whose factory answers which parameters to print flat once (the run directory
 * asks as it is made) and then fails (the console asks after the directory exists and before
 * the actors start): a plug-in failing in that window.
 */
public final class ThrowingListModel implements ModelFactory {

  /** What the thrown exception says. */
  public static final String MESSAGE = "no list of flat parameters today";

  @Override
  public String name() {
    return "test-throwing-list";
  }

  private static final java.util.concurrent.atomic.AtomicInteger ASKED =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public List<String> flatParameters() {
    if (ASKED.getAndIncrement() > 0) {
      throw new IllegalStateException(MESSAGE);
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
