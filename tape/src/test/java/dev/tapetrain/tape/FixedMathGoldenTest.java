package dev.tapetrain.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bits of the elementary functions the tape computes with ({@link Arithmetic}'s {@code exp},
 * {@code tanh}, {@code sigmoid}, {@code log}, {@code log1p}; numerics version
 * {@value FixedMath#NUMERICS_VERSION}), pinned: 33 arguments each (signed zeros, subnormals,
 * each branch and clamp, ±∞, NaN) to their exact result bits, and a hash of the results of a
 * million more (random bit patterns over the whole range and uniform ones in (−50, 50)). CI runs
 * this class on JDK 17 and on JDK 25 ({@code .ci/run}): the same bits on both is the promise.
 * A failure here means every model's results change: that needs a new
 * {@link FixedMath#NUMERICS_VERSION}, not new numbers here. NaNs compare as one NaN.
 */
class FixedMathGoldenTest {

  private static final long[] ARGUMENTS = {
      0x0000000000000000L, 0x8000000000000000L, 0x0000000000000001L,
      0x8000100000000000L, 0x3e10000000000000L, 0x3e112e0be826d695L,
      0xbfb999999999999aL, 0x3fd3333333333333L, 0x3fe0000000000000L,
      0xbfe3f7ced916872bL, 0x3fe4000000000000L, 0xbfe4000000000001L,
      0x3fe6af8ace263b71L, 0x3ff0000000000000L, 0xbfff33943f1e69e8L,
      0x4004000000000000L, 0xc00e000000000000L, 0x401ea5c5b4a52d94L,
      0x40330fc1931f09caL, 0xc035fd70a3d70a3dL, 0x4036800000000000L,
      0x4042c00000000000L, 0xc044000000000000L, 0x4059000000000000L,
      0xc072c80000000000L, 0x4085e00000000000L, 0xc08622cccccccccdL,
      0x40862c0000000000L, 0xc086800000000000L, 0xc087480000000000L,
      0x7ff8000000000000L, 0x7ff0000000000000L, 0xfff0000000000000L,
  };
  private static final long[] EXP = {
      0x3ff0000000000000L, 0x3ff0000000000000L, 0x3ff0000000000000L,
      0x3ff0000000000000L, 0x3ff0000000400000L, 0x3ff000000044b830L,
      0x3fecf46d99d52b3aL, 0x3ff599058c8c1a96L, 0x3ffa61298e1e069cL,
      0x3fe1253fa94f4bf1L, 0x3ffde455df80e3c0L, 0x3fe120dc934993e7L,
      0x400041272b051882L, 0x4005bf0a8b145769L, 0x3fc2359af6693b0fL,
      0x40285d6fd931e0bbL, 0x3f981509354f0d29L, 0x40a09b87a95fccefL,
      0x41a6a09e667f3bd6L, 0x3df35c9a6abe1ef1L, 0x41f604b68cf05f66L,
      0x4351293919c201e5L, 0x3c539792499b1a24L, 0x48f3494a9b171bf5L,
      0x24d629f5b5352a54L, 0x7f0d945df4f8ec8eL, 0x0010c29cb73fe464L,
      0x7fe81e9b4b52d0c9L, 0x0000000993b4dc95L, 0x0000000000000001L,
      0x7ff8000000000000L, 0x7ff0000000000000L, 0x0000000000000000L,
  };
  private static final long[] TANH = {
      0x0000000000000000L, 0x8000000000000000L, 0x0000000000000001L,
      0x8000100000000000L, 0x3e10000000000000L, 0x3e112e0be826d695L,
      0xbfb983d7795f413aL, 0x3fd2a4dda7d914faL, 0x3fdd9353d7568af3L,
      0xbfe1b99b00e04922L, 0x3fe1bf47eabb8f96L, 0xbfe1bf47eabb8f96L,
      0x3fe385281cc688f4L, 0x3fe85efab514f394L, 0xbfeebafed2a3f150L,
      0x3fef9258260a71c2L, 0xbfeff6f17a754772L, 0x3fefffff12633331L,
      0x3ff0000000000000L, 0xbff0000000000000L, 0x3ff0000000000000L,
      0x3ff0000000000000L, 0xbff0000000000000L, 0x3ff0000000000000L,
      0xbff0000000000000L, 0x3ff0000000000000L, 0xbff0000000000000L,
      0x3ff0000000000000L, 0xbff0000000000000L, 0xbff0000000000000L,
      0x7ff8000000000000L, 0x3ff0000000000000L, 0xbff0000000000000L,
  };
  private static final long[] SIGMOID = {
      0x3fe0000000000000L, 0x3fe0000000000000L, 0x3fe0000000000000L,
      0x3fe0000000000000L, 0x3fe0000000200000L, 0x3fe0000000225c18L,
      0x3fde66bdb1aca090L, 0x3fe261d545e46a8bL, 0x3fe3eb2fd4d34391L,
      0x3fd653ec524b841eL, 0x3fe4d7e6283a9943L, 0x3fd65033af8acd78L,
      0x3fe571fc83232f8eL, 0x3fe764d4f5d5a2bdL, 0x3fbfe21149e7c7c2L,
      0x3fed9291ddb596f8L, 0x3f978761313f225aL, 0x3feffc25ec87d5e2L,
      0x3feffffffd2bec33L, 0x3df35c9a6aa6b0ebL, 0x3fefffffffe8bf2aL,
      0x3ff0000000000000L, 0x3c539792499b1a24L, 0x3ff0000000000000L,
      0x24d629f5b5352a54L, 0x3ff0000000000000L, 0x0010c29cb73fe464L,
      0x3ff0000000000000L, 0x0000000993b4dc95L, 0x0000000000000001L,
      0x7ff8000000000000L, 0x3ff0000000000000L, 0x0000000000000000L,
  };
  private static final long[] LOG = {
      0xfff0000000000000L, 0xfff0000000000000L, 0xc0874385446d71c3L,
      0x7ff8000000000000L, 0xc034cb5ecf0a9650L, 0xc034b927f32bffb8L,
      0x7ff8000000000000L, 0xbff34378fcbda721L, 0xbfe62e42fefa39efL,
      0x7ff8000000000000L, 0xbfde148a1a2726ceL, 0x7ff8000000000000L,
      0xbfd6041b2798582dL, 0x0000000000000000L, 0x7ff8000000000000L,
      0x3fed5240f0e0e078L, 0x7ff8000000000000L, 0x40004a41ca61ac08L,
      0x400794d5a03bc1f6L, 0x7ff8000000000000L, 0x4008e87ab6e53b28L,
      0x400cfea67585803dL, 0x7ff8000000000000L, 0x40126bb1bbb55516L,
      0x7ff8000000000000L, 0x401a344e6741ebabL, 0x7ff8000000000000L,
      0x401a421c25960b33L, 0x7ff8000000000000L, 0x7ff8000000000000L,
      0x7ff8000000000000L, 0x7ff0000000000000L, 0x7ff8000000000000L,
  };
  private static final long[] LOG1P = {
      0x0000000000000000L, 0x8000000000000000L, 0x0000000000000001L,
      0x8000100000000000L, 0x3e0fffffffc00000L, 0x3e112e0be801f1d9L,
      0xbfbaf8e8210a415eL, 0x3fd0ca937be1b9dcL, 0x3fd9f323ecbf984cL,
      0xbfef4d23114d8c5bL, 0x3fdf128f5faf06ecL, 0xbfef62f40794a7bbL,
      0x3fe125d1a1822238L, 0x3fe62e42fefa39efL, 0x7ff8000000000000L,
      0x3ff40b512eb53d60L, 0x7ff8000000000000L, 0x4001457e74196bdbL,
      0x4007fd8d6f441314L, 0x7ff8000000000000L, 0x400941896fd2623aL,
      0x400d348c4ed9d5fcL, 0x7ff8000000000000L, 0x401275e2271bba31L,
      0x7ff8000000000000L, 0x401a35c4a0a661ecL, 0x7ff8000000000000L,
      0x401a438d5d20e4fdL, 0x7ff8000000000000L, 0x7ff8000000000000L,
      0x7ff8000000000000L, 0x7ff0000000000000L, 0x7ff8000000000000L,
  };

  static Stream<Arguments> functions() {
    return Stream.of(
        Arguments.of("exp", (DoubleUnaryOperator) Arithmetic::exp, EXP, 0x306d0401ee0f16e1L),
        Arguments.of("tanh", (DoubleUnaryOperator) Arithmetic::tanh, TANH, 0xb9f3daf94dc7e332L),
        Arguments.of("sigmoid", (DoubleUnaryOperator) Arithmetic::sigmoid, SIGMOID,
            0xed23d59b4f1b06cfL),
        Arguments.of("log", (DoubleUnaryOperator) Arithmetic::log, LOG, 0xeda6026a8f378c0fL),
        Arguments.of("log1p", (DoubleUnaryOperator) Arithmetic::log1p, LOG1P, 0xac17b55cd134317cL));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("functions")
  void bitsArePinned(String name, DoubleUnaryOperator f, long[] expected, long hash) {
    for (int i = 0; i < ARGUMENTS.length; i++) {
      double x = Double.longBitsToDouble(ARGUMENTS[i]);
      assertEquals(Long.toHexString(expected[i]),
          Long.toHexString(Double.doubleToLongBits(f.applyAsDouble(x))), name + "(" + x + ")");
    }
    assertEquals(Long.toHexString(hash), Long.toHexString(hashOfAMillion(f)),
        name + " of a million arguments");
  }

  /** {@code h·31 + bits} over the results, in order. */
  private static long hashOfAMillion(DoubleUnaryOperator f) {
    SplittableRandom random = new SplittableRandom(25);
    long h = 0;
    for (int i = 0; i < 1_000_000; i++) {
      double x = i % 2 == 0 ? Double.longBitsToDouble(random.nextLong())
          : random.nextDouble(-50, 50);
      h = h * 31 + Double.doubleToLongBits(f.applyAsDouble(x));
    }
    return h;
  }
}
