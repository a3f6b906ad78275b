package dev.tapetrain.localrunner;

import java.io.File;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The converter of an option naming a file to write ({@code predict --out}, {@code export
 * --onnx}, {@code inspect --plot}): a name ending in a separator names a directory, which a
 * {@link Path} silently drops ({@code dir-as-out/} became a FILE named {@code dir-as-out}), so
 * it is refused in one line (exit 2) before the path loses it.
 */
public final class OutputFile implements CommandLine.ITypeConverter<Path> {

  @Override
  public Path convert(String value) {
    if (value.endsWith("/") || value.endsWith(File.separator)) {
      throw new CommandLine.TypeConversionException("'" + value + "' ends in '"
          + value.charAt(value.length() - 1) + "', so it names a directory; name a file");
    }
    return Path.of(value);
  }
}
