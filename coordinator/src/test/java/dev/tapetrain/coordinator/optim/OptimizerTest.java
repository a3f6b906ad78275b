package dev.tapetrain.coordinator.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tapetrain.protocol.NamedTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The update rules against closed forms and against plain loops of tf.keras' formulas. */
class OptimizerTest {

  private static List<NamedTensor> params(double w, double b) {
    return List.of(NamedTensor.scalar("w", w), NamedTensor.scalar("b", b));
  }

  /** Gradient of Σ (p − target)² at p: 2(p − target), a stand-in for a model's gradient. */
  private static List<NamedTensor> grads(List<NamedTensor> p) {
    return List.of(NamedTensor.scalar("w", 2 * (p.get(0).scalarValue() - 3)),
        NamedTensor.scalar("b", 2 * (p.get(1).scalarValue() - 2)));
  }

  @Test
  void momentumWithAConstantGradientFollowsTheGeometricSeries() {
    double lr = 0.1;
    double m = 0.9;
    double g = 1.5;
    Momentum opt = new Momentum(lr, m, false);
    List<NamedTensor> p = params(5, 10);
    for (int t = 1; t <= 20; t++) {
      p = opt.apply(p, List.of(NamedTensor.scalar("w", g), NamedTensor.scalar("b", 0)));
      // p_t = p_0 − lr·g·Σ_{s=1..t} (1 − m^s)/(1 − m)
      double sum = 0;
      for (int s = 1; s <= t; s++) {
        sum += (1 - Math.pow(m, s)) / (1 - m);
      }
      assertEquals(5 - lr * g * sum, p.get(0).scalarValue(), 1e-12);
    }
  }

  @Test
  void momentumAndNesterovMatchAPlainLoopOfKerasRules() {
    for (boolean nesterov : new boolean[] {false, true}) {
      Momentum opt = new Momentum(0.05, 0.8, nesterov);
      List<NamedTensor> p = params(5, 10);
      double w = 5;
      double b = 10;
      double vw = 0;
      double vb = 0;
      for (int t = 0; t < 100; t++) {
        p = opt.apply(p, grads(p));
        double gw = 2 * (w - 3);
        double gb = 2 * (b - 2);
        vw = 0.8 * vw - 0.05 * gw;
        vb = 0.8 * vb - 0.05 * gb;
        w = nesterov ? w + 0.8 * vw - 0.05 * gw : w + vw;
        b = nesterov ? b + 0.8 * vb - 0.05 * gb : b + vb;
        assertEquals(w, p.get(0).scalarValue(), 1e-12 * Math.abs(w));
        assertEquals(b, p.get(1).scalarValue(), 1e-12 * Math.abs(b));
      }
    }
  }

  @Test
  void adamsFirstStepMovesEachParameterByAboutTheLearningRate() {
    // m = (1−β1)g, v = (1−β2)g², α = lr·√(1−β2)/(1−β1): the step is lr·|g|/(|g| + ε/√(1−β2)).
    Adam opt = new Adam(0.01, 0.9, 0.999, 1e-7);
    List<NamedTensor> p = opt.apply(params(5, 10), params(4.0, -0.5));
    double eps = 1e-7 / Math.sqrt(1 - 0.999);
    assertEquals(5 - 0.01 * 4 / (4 + eps), p.get(0).scalarValue(), 1e-15);
    assertEquals(10 + 0.01 * 0.5 / (0.5 + eps), p.get(1).scalarValue(), 1e-15);
  }

  @Test
  void adamMatchesAPlainLoopOfKerasRulesAndResumesFromItsState() {
    Adam opt = new Adam(0.1, 0.9, 0.999, 1e-7);
    List<NamedTensor> p = params(5, 10);
    double[] x = {5, 10};
    double[] m = new double[2];
    double[] v = new double[2];
    for (int t = 1; t <= 200; t++) {
      if (t == 100) { // a resumed optimizer continues exactly
        Adam resumed = new Adam(0.1, 0.9, 0.999, 1e-7);
        resumed.restore(opt.state());
        opt = resumed;
      }
      p = opt.apply(p, grads(p));
      double[] g = {2 * (x[0] - 3), 2 * (x[1] - 2)};
      double alpha = 0.1 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
      for (int i = 0; i < 2; i++) {
        m[i] += (g[i] - m[i]) * (1 - 0.9);
        v[i] += (g[i] * g[i] - v[i]) * (1 - 0.999);
        x[i] -= m[i] * alpha / (Math.sqrt(v[i]) + 1e-7);
      }
      assertEquals(x[0], p.get(0).scalarValue(), 1e-12 * Math.abs(x[0]), "w at t=" + t);
      assertEquals(x[1], p.get(1).scalarValue(), 1e-12 * Math.abs(x[1]), "b at t=" + t);
    }
  }

  @Test
  void l2AddsLambdaWSquaredToTheLossAndTwoLambdaWToTheWeightGradientOnly() {
    L2Penalty l2 = new L2Penalty(0.5, java.util.List.of("w"));
    List<NamedTensor> p = List.of(NamedTensor.vector("w", 1, -2), NamedTensor.scalar("b", 7));
    assertEquals(0.5 * (1 + 4), l2.loss(p), 0.0);
    List<NamedTensor> g = l2.gradients(p, List.of(NamedTensor.vector("w", 0.1, 0.2),
        NamedTensor.scalar("b", 0.3)));
    assertEquals(0.1 + 1.0, g.get(0).values()[0], 1e-15);
    assertEquals(0.2 - 2.0, g.get(0).values()[1], 1e-15);
    assertEquals(0.3, g.get(1).scalarValue(), 0.0);
  }
}
