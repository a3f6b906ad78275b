package dev.tapetrain.coordinator.cli;

import dev.tapetrain.data.DataPaths;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.Settings;
import dev.tapetrain.spi.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The scan of {@code --validation-data} (Keras' {@code validation_data}): the files resolved
 * like {@code --data}'s, read by the format their names say (CSV validation data for Parquet
 * training data, or the other way round) with the same settings, checked in full
 * before any run directory exists — the same feature and target columns as the training data,
 * labels among the model's classes — and described for the workers.
 */
final class ValidationDataScan {

  private ValidationDataScan() {}

  /**
   * Scans {@code paths} in the format their names say, chosen as {@code --data}'s is; with
   * {@code --format} ({@code named}), files that format reads or no format claims are read by it
   * ({@code input}, {@code --data}'s), others by the format that claims them (Parquet validation
   * data beside CSV training data). A format other than {@code --data}'s takes the settings of
   * {@code settings} it declares too ({@code --features}, {@code --target}). Labels must be
   * below {@code classes} when {@code labels}.
   *
   * @throws UsageException (or another {@link UserError}) naming the file, and line or column,
   *     of the first problem
   */
  static DatasetSpec.Source scan(List<String> paths, String named, InputFormat input,
      List<Path> trainingFiles, Settings settings, long seed, boolean labels, int classes,
      DatasetSpec.Source training, java.util.function.Consumer<String> notes) {
    if (trainingFiles.isEmpty()) {
      throw new UsageException("--validation-data needs --data (the columns it must match)");
    }
    Plugins<InputFormat> formats = InputFormats.plugins(Set.of());
    InputFormat explicit = named == null ? null : input;
    List<Path> files;
    InputFormat format;
    try {
      files = DataPaths.resolve(paths, f -> InputFormats.claimed(formats, f)
          || (explicit != null && explicit.reads(f)));
      format = explicit != null && files.stream().allMatch(f -> explicit.reads(f)
          || !InputFormats.claimed(formats, f)) ? explicit
          : InputFormats.chooseFor(formats, null, files);
    } catch (UserError e) {
      throw new UsageException(e.getMessage().replaceFirst("^--data", "--validation-data"));
    }
    java.util.Set<Object> trainingKeys = fileKeys(trainingFiles);
    for (Path f : files) {
      if (trainingFiles.contains(f) || sameFileAsOneOf(f, trainingFiles, trainingKeys)) {
        throw new UsageException("--validation-data " + f + ": the file is also part of --data");
      }
    }
    Settings own = format.name().equals(input.name()) ? settings : sharedSettings(format,
        settings);
    InputFormat.Scanned scanned = format.scan(new InputFormat.Request(files.get(0), own,
        seed, labels ? classes : 0, new InputFormat.OrderFree(labels
            ? y -> TrainOptions.labelProblem(y, classes) : y -> null), files));
    scanned.notes().forEach(n -> notes.accept("--validation-data: " + n));
    DatasetSpec.Source source = scanned.source();
    if (!source.columns().equals(training.columns())
        || !source.target().equals(training.target())) {
      throw new UsageException("--validation-data " + files.get(0) + ": columns "
          + String.join(",", source.columns()) + " → " + source.target() + " differ from "
          + "--data's " + String.join(",", training.columns()) + " → " + training.target()
          + " (the same feature and target columns are needed)");
    }
    return source;
  }

  /** {@code settings}' values of the settings {@code format} declares too, the rest defaults. */
  private static Settings sharedSettings(InputFormat format, Settings settings) {
    java.util.Map<String, String> given = new java.util.TreeMap<>();
    for (dev.tapetrain.spi.Setting s : format.settings()) {
      if (settings.texts().containsKey(s.name())) {
        given.put(s.name(), settings.texts().get(s.name()));
      }
    }
    return Settings.of(format.settings(), given, n -> "--" + n);
  }

  /**
   * Whether {@code f} is the same file as one of {@code files} by another name (a symbolic or
   * hard link): validating on training rows would report a validation loss that is not one.
   */
  private static boolean sameFileAsOneOf(Path f, List<Path> files, java.util.Set<Object> keys) {
    Object key = fileKey(f);
    if (key != null && keys != null) {
      return keys.contains(key); // one lookup, not a stat per training file
    }
    for (Path t : files) {
      try {
        if (java.nio.file.Files.isSameFile(f, t)) {
          return true;
        }
      } catch (java.io.IOException e) {
        // Unreadable here: the reader says so in its own words.
      }
    }
    return false;
  }

  /** The files' keys (device and inode), or null if the file system gives none for one. */
  private static java.util.Set<Object> fileKeys(List<Path> files) {
    java.util.Set<Object> keys = new java.util.HashSet<>();
    for (Path t : files) {
      Object k = fileKey(t);
      if (k == null) {
        return null;
      }
      keys.add(k);
    }
    return keys;
  }

  private static Object fileKey(Path p) {
    try {
      return java.nio.file.Files.readAttributes(p,
          java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (java.io.IOException e) {
      return null; // unreadable here: the reader says so in its own words
    }
  }
}
