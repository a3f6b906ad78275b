package com.example;

import dev.tapetrain.coordinator.optim.Optimizer;
import dev.tapetrain.coordinator.optim.OptimizerFactory;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.Settings;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's optimizer in one file: gradient descent with every gradient element clipped to
 * {@code [−clip, clip]} ({@code --optimizer clipped-sgd --set clip=0.5}).
 */
public final class ClippedSgd implements OptimizerFactory {

  static final Setting CLIP = Setting.number("clip", 1.0, Setting.Range.above(0),
      "clipped-sgd: the largest gradient element used");

  @Override
  public String name() {
    return "clipped-sgd";
  }

  @Override
  public List<Setting> settings() {
    return List.of(CLIP);
  }

  @Override
  public Optimizer create(double learningRate, Settings settings) {
    double clip = settings.number(CLIP.name());
    return new Optimizer() {
      @Override
      public String name() {
        return "clipped-sgd";
      }

      @Override
      public double learningRate() {
        return learningRate;
      }

      @Override
      public List<NamedTensor> apply(List<NamedTensor> params, List<NamedTensor> grads) {
        List<NamedTensor> out = new ArrayList<>();
        for (int p = 0; p < params.size(); p++) {
          double[] v = params.get(p).values().clone();
          double[] g = grads.get(p).values();
          for (int i = 0; i < v.length; i++) {
            v[i] -= Math.max(-clip, Math.min(clip, g[i])) * learningRate;
          }
          out.add(params.get(p).withValues(v));
        }
        return out;
      }
    };
  }
}
