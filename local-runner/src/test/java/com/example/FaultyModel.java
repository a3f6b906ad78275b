package com.example;

import dev.tapetrain.models.Model;
import dev.tapetrain.models.ModelFactory;
import dev.tapetrain.models.ModelOptions;
import dev.tapetrain.models.Parameter;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.UserError;
import dev.tapetrain.tape.Ops;
import dev.tapetrain.tape.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A user's model whose loss misbehaves as {@code --set fault=…} says: {@code throw} an
 * exception, return {@code null}, {@code loop} forever, {@code allocate} without end, or
 * {@code overflow} the stack; {@code none} is a plain linear regression. With
 * {@code --set fault-above=X} it behaves until training has moved the bias above X (on the
 * tutorial's data it grows by about 0.04 a step), so a run has checkpoints when it fails; every
 * worker misbehaves in the same step, as a model's own error would.
 */
public final class FaultyModel implements ModelFactory {

  static final Setting FAULT = Setting.text("fault", "none",
      "test-faulty: none, throw, null, loop, allocate or overflow");
  static final Setting ABOVE = Setting.number("fault-above", -1e300, Setting.Range.ANY,
      "test-faulty: misbehave only once the bias b exceeds this (it starts at 0)");

  private static final List<String> FAULTS =
      List.of("none", "throw", "null", "loop", "allocate", "overflow");

  /** What the thrown exception says, for tests to look for. */
  public static final String MESSAGE = "the loss cannot be computed";

  // Where the allocating fault keeps what it allocates, so none of it can be collected.
  private static final List<long[]> HOARD = new ArrayList<>();
  // Read by the loop, so the JIT cannot prove it endless and drop it.
  static volatile boolean spin = true;

  @Override
  public String name() {
    return "test-faulty";
  }

  @Override
  public List<Setting> settings() {
    return List.of(FAULT, ABOVE);
  }

  @Override
  public Model create(ModelOptions options) {
    int f = options.features();
    String fault = options.settings().text(FAULT.name());
    if (!FAULTS.contains(fault)) {
      throw new UserError("--set fault: '" + fault + "' is not one of " + FAULTS);
    }
    double above = options.settings().number(ABOVE.name());
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
        if (p.get("b").item() > above) {
          switch (fault) {
            case "throw" -> throw new IllegalStateException(MESSAGE);
            case "null" -> {
              return null;
            }
            case "loop" -> {
              while (spin) {
                Thread.onSpinWait();
              }
            }
            case "allocate" -> {
              while (true) {
                HOARD.add(new long[1 << 20]);
              }
            }
            case "overflow" -> {
              return recurse(p, x, y);
            }
            default -> { }
          }
        }
        return Ops.sum(Ops.square(Ops.sub(predict(p, x), y)));
      }

      private Tensor recurse(Map<String, Tensor> p, Tensor x, Tensor y) {
        return recurse(p, x, y);
      }
    };
  }
}
