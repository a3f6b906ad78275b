package dev.tapetrain.data;

import dev.tapetrain.spi.UserError;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The files {@code --data} names, as one dataset in a fixed order. Each argument is a file, a
 * directory (its data files: those a format claims by extension, not in subdirectories, names
 * starting with {@code .} or {@code _} skipped as Spark and pyarrow skip them), or a quoted glob
 * ({@code 'parts/*.csv'}; {@code *}, {@code ?}, {@code [..]} and {@code {a,b}} as in
 * {@link java.nio.file.FileSystem#getPathMatcher}, in any component). An unquoted glob the shell
 * expanded is simply several arguments. The files are sorted by the code points of their
 * absolute paths, so the order never depends on the order of the arguments or of a directory's
 * listing.
 */
public final class DataPaths {

  /** Orders paths by the Unicode code points of their text (not UTF-16 units). */
  public static final Comparator<Path> CODE_POINT_ORDER = (a, b) -> {
    String s = a.toString();
    String t = b.toString();
    int i = 0;
    int j = 0;
    while (i < s.length() && j < t.length()) {
      int c = s.codePointAt(i);
      int d = t.codePointAt(j);
      if (c != d) {
        return Integer.compare(c, d);
      }
      i += Character.charCount(c);
      j += Character.charCount(d);
    }
    return Integer.compare(s.length() - i, t.length() - j);
  };

  private DataPaths() {}

  /**
   * The data files of {@code args}, absolute and normalized, sorted by code point.
   *
   * @param args    the {@code --data} values
   * @param claimed whether a file found in a directory is data (by its name's extension)
   * @throws UserError naming the argument: a missing file, a glob that matches nothing, a
   *     directory with no data files, a file given twice
   */
  public static List<Path> resolve(List<String> args, Predicate<Path> claimed) {
    Set<Path> out = new LinkedHashSet<>();
    for (String arg : args) {
      List<Path> found;
      if (arg.isEmpty()) {
        throw new UserError("--data: an empty path");
      }
      Path p = Path.of(arg);
      if (Files.isDirectory(p)) {
        found = directory(arg, p, claimed);
      } else if (Files.exists(p) || !isGlob(arg)) {
        found = List.of(file(arg, p));
      } else {
        found = glob(arg);
      }
      for (Path f : found) {
        if (!out.add(f)) {
          throw new UserError("--data " + arg + ": " + f + " is already part of the data");
        }
      }
    }
    List<Path> sorted = new ArrayList<>(out);
    sorted.sort(CODE_POINT_ORDER);
    return sorted;
  }

  private static Path file(String arg, Path p) {
    if (!Files.exists(p)) {
      throw new UserError("--data " + arg + ": no such file");
    }
    return canonical(p); // a format refuses what is not a regular file, after its own checks
  }

  private static List<Path> directory(String arg, Path dir, Predicate<Path> claimed) {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(f -> visible(f) && Files.isRegularFile(f) && claimed.test(f))
          .forEach(f -> found.add(canonical(f)));
    } catch (IOException e) {
      throw new UserError("--data " + arg + ": cannot list the directory: " + e.getMessage());
    }
    if (found.isEmpty()) {
      throw new UserError("--data " + arg + ": the directory holds no data files (.csv or "
          + ".parquet)");
    }
    return found;
  }

  private static List<Path> glob(String arg) {
    // The pattern's fixed leading components name the directory to search from.
    Path pattern = Path.of(arg);
    Path base = pattern.isAbsolute() ? pattern.getRoot() : Path.of("");
    int fixed = 0;
    while (fixed < pattern.getNameCount() - 1 && !isGlob(pattern.getName(fixed).toString())) {
      base = base.resolve(pattern.getName(fixed));
      fixed++;
    }
    int depth = pattern.getNameCount() - fixed;
    String rest = pattern.subpath(fixed, pattern.getNameCount()).toString();
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
    List<Path> found = new ArrayList<>();
    Path from = base.toString().isEmpty() ? Path.of(".") : base;
    if (Files.isDirectory(from)) {
      try (Stream<Path> walk = Files.walk(from, depth)) {
        walk.filter(f -> Files.isRegularFile(f) && visible(f)
                && matcher.matches(from.relativize(f)))
            .forEach(f -> found.add(canonical(f)));
      } catch (IOException e) {
        throw new UserError("--data " + arg + ": cannot list " + from + ": " + e.getMessage());
      }
    }
    if (found.isEmpty()) {
      throw new UserError("--data " + arg + ": no file matches");
    }
    return found;
  }

  private static boolean isGlob(String s) {
    return s.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  private static boolean visible(Path f) {
    String n = f.getFileName().toString();
    return !n.startsWith(".") && !n.startsWith("_");
  }

  private static Path canonical(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (abs.toString().indexOf('\n') >= 0) {
      throw new UserError("--data " + p + ": a file name with a line break is not supported");
    }
    return abs;
  }
}
