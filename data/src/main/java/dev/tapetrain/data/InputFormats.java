package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The input formats this JVM reads: synthetic data, CSV and Parquet files, and any on the class
 * path.
 */
public final class InputFormats {

  private InputFormats() {}

  /** The built-in formats, in the order {@code --help} lists them. */
  public static List<InputFormat> builtIns() {
    return List.of(new SyntheticFormat(), new CsvFormat(), new ParquetFormat());
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
    return chooseFor(formats, name, data == null ? List.of() : List.of(data));
  }

  /**
   * As {@link #choose(Plugins, String, Path)} for the files of one dataset: without
   * {@code --format} they must all be of one format, and a format that reads one file is
   * given one.
   *
   * @throws UserError if the name is unknown, the files are of several formats, or the format
   *     reads only one file
   */
  public static InputFormat chooseFor(Plugins<InputFormat> formats, String name,
      List<Path> files) {
    InputFormat chosen;
    if (name != null) {
      chosen = formats.get(name, "--format");
    } else if (files.isEmpty()) {
      return formats.get(DatasetSpec.SYNTHETIC, "--format");
    } else {
      chosen = byExtension(formats, files.get(0));
      for (Path f : files) {
        InputFormat other = byExtension(formats, f);
        if (!other.name().equals(chosen.name())) {
          throw new UserError("--data: " + files.get(0) + " is " + chosen.name() + " but " + f
              + " is " + other.name() + "; the files of one dataset have one format");
        }
      }
    }
    if (files.size() > 1 && !chosen.readsManyFiles()) {
      throw new UserError("--data: the input format " + chosen.name() + " reads one file, "
          + "given " + files.size());
    }
    return chosen;
  }

  /** Whether some format of {@code formats} claims {@code path} by its name. */
  public static boolean claimed(Plugins<InputFormat> formats, Path path) {
    return formats.available().values().stream().anyMatch(f -> f.reads(path));
  }

  private static InputFormat byExtension(Plugins<InputFormat> formats, Path data) {
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
