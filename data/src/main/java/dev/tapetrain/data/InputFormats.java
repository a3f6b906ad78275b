package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The input formats this JVM reads: CSV and synthetic data, and any on the class path. */
public final class InputFormats {

  private InputFormats() {}

  /** The built-in formats, in the order {@code --help} lists them. */
  public static List<InputFormat> builtIns() {
    return List.of(new SyntheticFormat(), new CsvFormat());
  }

  /**
   * Every format this JVM has.
   *
   * @param options the command line's option names a plug-in's setting may not take
   */
  public static Plugins<InputFormat> plugins(Set<String> options) {
    return new Plugins<>("input format", InputFormat.class, builtIns(), options);
  }

  /**
   * The format {@code --format name} names; without it, the one that says it reads {@code --data
   * path} (by its extension), CSV for a path no format claims, and generated data (the
   * {@code synthetic} format) without {@code --data}.
   *
   * @throws UserError if the name is unknown
   */
  public static InputFormat choose(Plugins<InputFormat> formats, String name, Path data) {
    if (name != null) {
      return formats.get(name, "--format");
    }
    if (data == null) {
      return formats.get(DatasetSpec.SYNTHETIC, "--format");
    }
    for (InputFormat f : formats.available().values()) {
      if (f.reads(data)) {
        return f;
      }
    }
    return formats.get(DatasetSpec.CSV, "--format");
  }

  /**
   * The format that wrote {@code source}, on a worker.
   *
   * @throws DataException if this JVM does not have it
   */
  public static InputFormat of(DatasetSpec.Source source) {
    try {
      return plugins(Set.of()).get(source.format(), "input format");
    } catch (UserError e) {
      throw new DataException(e.getMessage());
    }
  }
}
