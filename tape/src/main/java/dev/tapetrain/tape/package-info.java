/**
 * A small reverse-mode automatic differentiation library: the Java counterpart of TensorFlow's
 * {@code tf.GradientTape}.
 *
 * <p>Usage order: open a tape, watch what you differentiate by (trainable
 * {@link dev.tapetrain.tape.Variable}s are watched when read), compute with
 * {@link dev.tapetrain.tape.Ops}, ask for the gradient, close:
 * <pre>{@code
 * Variable w = new Variable("weight", Tensor.scalar(5.0));
 * try (GradientTape tape = new GradientTape()) {
 *   Tensor loss = Ops.sum(Ops.square(Ops.sub(Ops.mul(x, w), y)));
 *   Tensor dw = tape.gradient(loss, w);
 * }
 * }</pre>
 *
 * <p>{@link dev.tapetrain.tape.MatrixOps} adds what models with several features and
 * outputs need ({@code matmul}, a dense layer {@code dense(x, w, b)}, sums and repeats along rows
 * and columns, a stable log-sum-exp and softmax), each op's forward computation beside its
 * backward rule; {@link dev.tapetrain.tape.Comparisons} and {@code MatrixOps.rowArgmax} give 0/1
 * masks and predicted classes, constants no tape differentiates, for metrics that compile.
 *
 * <p>A tape is a Wengert list: every op records its inputs, output and backward rule; a gradient
 * is one iterative reverse sweep (no recursion, so deep graphs cannot overflow the stack).
 * Backward rules are written with the same ops, so a tape that is open around another tape
 * records the inner gradient computation and can differentiate it again (second derivatives).
 *
 * <p>Floating point is deterministic by construction: every reduction adds in one documented
 * order (see {@link dev.tapetrain.tape.Ops#sum}) and the elementary functions are written with
 * {@code + − × ÷} and bit manipulation only ({@link dev.tapetrain.tape.FixedMath}, numerics
 * version {@value dev.tapetrain.tape.FixedMath#NUMERICS_VERSION}; {@code log} and {@code log1p}
 * as fdlibm's), so a result is the same on every JVM and machine.
 *
 * <p>For speed, {@link dev.tapetrain.tape.CompiledFunction} traces a function of
 * vectors (ops and tapes, forward and backward) once and compiles it into one loop that keeps
 * every intermediate in registers, the counterpart of {@code tf.function} with XLA fusion; its
 * results are bit-identical to the eager ops. A program that ships loops compiled ahead of time
 * registers them as {@link dev.tapetrain.tape.PrecompiledLoop} services; the library has none of
 * its own. {@link dev.tapetrain.tape.TracedProgram} gives the same kind of trace as data (ops,
 * what each read, shapes), for translating a function into another format (ONNX).
 *
 * <p>Depends on {@code java.base} and Janino (the compiler of those loops) only. In particular it
 * must never import Akka or anything of tapetrain outside this package: it is a library of its
 * own.
 */
package dev.tapetrain.tape;
