package dev.tapetrain.models;

import dev.tapetrain.spi.UserError;
import java.util.Arrays;
import java.util.Locale;

/**
 * Checks a parameter's size before it is allocated, so that a class count or a layer width
 * that cannot fit is one line naming the setting and the memory it would need, instead of an
 * {@link OutOfMemoryError} deep inside a worker.
 */
public final class Sizes {

  private Sizes() {}

  /**
   * Checks that a parameter of {@code shape} fits in one array and in this JVM's heap (with
   * room for its gradient and the optimizer's state, three copies in all).
   *
   * @param model     the model's name
   * @param parameter the parameter's name
   * @param because   the setting the size follows from, for the message ({@code --hidden 10})
   * @throws UserError if it does not fit
   */
  public static void require(String model, String parameter, String because, long... shape) {
    long values = 1;
    for (long d : shape) {
      values = d > 0 && values > Long.MAX_VALUE / d ? Long.MAX_VALUE : values * d;
    }
    long max = Runtime.getRuntime().maxMemory();
    if (values > Integer.MAX_VALUE - 8 || 3 * 8.0 * values > max) {
      throw new UserError(String.format(Locale.ROOT, "--model %s: %s %s would need %s (%s), "
          + "more than this JVM's %s (-Xmx); use a smaller value", model, parameter,
          Arrays.toString(shape), bytes(8.0 * values), because, bytes(max)));
    }
  }

  private static String bytes(double b) {
    return b >= (1L << 30) ? String.format(Locale.ROOT, "%.1f GiB", b / (1L << 30))
        : String.format(Locale.ROOT, "%.1f MiB", b / (1L << 20));
  }
}
