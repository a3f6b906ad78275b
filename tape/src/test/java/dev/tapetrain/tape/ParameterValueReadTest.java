package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * A function that reads the value of a parameter, or of a result computed from one, while it is
 * traced may choose its ops by it (a user's model that misbehaves once its bias passes a bound,
 * a branch on the loss): a loop replays the ops of the parameters it was traced at only, so such
 * a function is refused and runs on the eager tape. Reading the samples' values (a label check)
 * and the outputs after the function returned are fine.
 */
class ParameterValueReadTest {

  /** {@code Σ (w·x)²}, or {@code Σ (w·x)} once {@code read(w·x)}, or of {@code w}, is above 1. */
  private static CompiledFunction.Body branching(ToDoubleFunction<Tensor[]> read) {
    return (v, s) -> {
      Tensor wx = Ops.mul(v[0], s[0]);
      double seen = read.applyAsDouble(new Tensor[] {v[0], s[0], wx});
      return new Tensor[] {Ops.sum(seen > 1 ? wx : Ops.square(wx))};
    };
  }

  private static final double[][] X = {{0.5, 1.5, -2.0, 3.0}};

  @Test
  void readingAParameterOrAResultOfOneRefusesTheProgramNamingTheGetter() {
    // w = 0.75 (a distinct value per case keeps each program apart from the others' loops).
    String[] how = {"item()", "get(int)", "toArray()", "get(int)"};
    java.util.List<ToDoubleFunction<Tensor[]>> reads = java.util.List.of(
        t -> t[1].item(), t -> t[1].get(0), t -> t[1].toArray()[0], t -> t[2].get(3));
    for (int k = 0; k < reads.size(); k++) {
      CompiledFunction.Body body = branching(reads.get(k));
      NotCompilableException e = assertThrows(NotCompilableException.class,
          () -> CompiledFunction.compile(body, X, new double[] {0.75}));
      assertTrue(e.getMessage().contains("Tensor." + how[k]), e.getMessage());
    }
  }

  @Test
  void aModelOfMatricesThatReadsItsBiasIsRefusedToo() {
    // The models' path (per-sample rows, shaped parameters): x [n, 2] · w [2] + b, whose code
    // reads b as FaultyModel (a test model of local-runner) does.
    CompiledFunction.Body body = (v, p) -> {
      Tensor z = Ops.add(Ops.matvec(v[0], p[0]), p[1]);
      Tensor loss = p[1].item() > 3 ? Ops.sum(z) : Ops.sum(Ops.square(Ops.sub(z, v[1])));
      return new Tensor[] {loss};
    };
    double[][] columns = {{0.5, 1.0, 2.0}, {1.5, -1.0, 0.25}, {1.0, 2.0, 3.0}};
    NotCompilableException e = assertThrows(NotCompilableException.class,
        () -> CompiledFunction.compileRows(body, columns, new int[] {2, 0},
            new double[] {0.5, -0.5, 0.125}, new int[][] {{2}, {}}, true));
    assertTrue(e.getMessage().contains("Tensor.item()"), e.getMessage());
  }

  @Test
  void aReadIsRefusedEvenWhenTheSameOpsWereCompiledBeforeInThisJvm() throws Exception {
    // The squared branch compiled first (it reads nothing); the program that reads w traces to
    // the same ops at w = 0.25 and would find that loop: refused all the same.
    CompiledFunction plain = CompiledFunction.compile((v, s) -> new Tensor[] {
        Ops.sum(Ops.square(Ops.mul(v[0], s[0])))}, X, new double[] {0.25});
    assertNotNull(plain);
    assertThrows(NotCompilableException.class, () -> CompiledFunction.compile(
        branching(t -> t[1].item()), X, new double[] {0.25}));
  }

  @Test
  void readingTheSamplesOrTheOutputsIsFine() throws Exception {
    CompiledFunction f = CompiledFunction.compile(branching(t -> t[0].get(0)), X,
        new double[] {0.5});
    double[] out = new double[1];
    f.apply(X, 0, 4, new double[] {0.5}, out);
    // x[0] = 0.5 ≤ 1: the squared branch, Σ (0.5·x)² = 0.25·(0.25 + 2.25 + 4 + 9).
    assertEquals(0.25 * 15.5, out[0], 1e-15);
    // Outside any trace, the getters are plain reads.
    assertEquals(0.75, Tensor.scalar(0.75).item());
  }
}
