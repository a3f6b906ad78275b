package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tapetrain.tape.TracedProgram.Constant;
import dev.tapetrain.tape.TracedProgram.Input;
import dev.tapetrain.tape.TracedProgram.Op;
import dev.tapetrain.tape.TracedProgram.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A traced program lists the ops a result depends on, in order, with what each read: inputs by
 * position, earlier results, constants by value; and it sees the ops no tape records (a row
 * maximum, a mask), so a translator never mistakes their results for constants.
 */
class TracedProgramTest {

  private final Tensor x = Tensor.matrix(3, 2, new double[] {1, 2, -3, 4, 5, -6});
  private final Tensor w = Tensor.matrix(2, 2, new double[] {0.5, -1, 2, 0.25});
  private final Tensor b = Tensor.vector(0.1, -0.2);

  @Test
  void recordsTheLiveOpsWithTheirInputsConstantsAndShapes() {
    TracedProgram p = TracedProgram.trace(in -> {
      Ops.exp(in[0]); // dead: the result does not depend on it
      Tensor z = MatrixOps.dense(in[0], in[1], in[2]);
      return Ops.mul(Ops.tanh(z), Tensor.scalar(2.0));
    }, x, w, b);
    List<Op> ops = p.ops();
    assertEquals(List.of("dense", "tanh", "mul"), ops.stream().map(Op::name).toList());
    assertEquals(List.of(new Input(0), new Input(1), new Input(2)), ops.get(0).inputs());
    assertEquals(new Result(0), ops.get(1).inputs().get(0));
    Constant two = assertInstanceOf(Constant.class, ops.get(2).inputs().get(1));
    assertArrayEquals(new int[0], two.shape());
    assertArrayEquals(new double[] {2.0}, two.values());
    assertEquals(new Result(2), p.output());
    assertArrayEquals(new int[] {3, 2}, p.outputShape());
    assertArrayEquals(new int[] {2, 2}, p.shape(new Input(1)));
  }

  @Test
  void opsNoTapeRecordsAreTracedAsOps() {
    TracedProgram p = TracedProgram.trace(in -> Ops.mul(MatrixOps.softmax(in[0]),
        Ops.constant(in[0], v -> v > 0 ? 1 : 0)), x);
    List<String> names = p.ops().stream().map(Op::name).toList();
    assertEquals(List.of("rowMax", "repeatColumns", "sub", "exp", "rowSum", "repeatColumns",
        "div", "constant", "mul"), names);
    // rowMax reads the input, and what subtracts it reads its result, not a constant.
    assertEquals(List.of(new Input(0)), p.ops().get(0).inputs());
    assertEquals(new Result(0), p.ops().get(1).inputs().get(0));
    for (Op op : p.ops()) {
      for (TracedProgram.Value v : op.inputs()) {
        if (v instanceof Constant c) {
          assertEquals(0, c.shape().length, op + " reads a non-scalar constant");
        }
      }
    }
  }

  @Test
  void fusedKindsAreNamedByTheirPublicOps() {
    Tensor column = Tensor.matrix(3, 1, new double[] {1, 2, 3});
    TracedProgram p = TracedProgram.trace(
        in -> MatrixOps.column(MatrixOps.rowSum(in[0])), column);
    assertEquals(List.of("rowSum", "repeatColumns"), p.ops().stream().map(Op::name).toList());
  }

  @Test
  void aResultThatIsAnInputOrAConstantNeedsNoOp() {
    assertEquals(new Input(1), TracedProgram.trace(in -> in[1], x, w).output());
    TracedProgram p = TracedProgram.trace(in -> Tensor.vector(1, 2), x);
    assertEquals(List.of(), p.ops());
    assertArrayEquals(new double[] {1, 2}, ((Constant) p.output()).values());
    assertThrows(NullPointerException.class, () -> TracedProgram.trace(in -> null, x));
  }
}
