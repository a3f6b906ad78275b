package dev.tapetrain.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A CSV file of training data: a header row naming the columns, then one sample per row.
 *
 * <p>Accepted: UTF-8 with or without a byte-order mark, LF or CRLF line ends, spaces around
 * cells, cells in double quotes, blank lines (skipped), extra columns (ignored). Every selected
 * cell must be a finite decimal number ({@code -1.5}, {@code 2e-3}); {@code NaN}, infinities and
 * values that overflow a double are refused with the line number. Numbers are parsed in place
 * ({@link CsvLine}: no {@code String} per cell) to exactly {@link Double#parseDouble}'s double.
 */
public final class CsvFile {

  private CsvFile() {}

  /**
   * The error of a quote still open at the line's end. Lines are cut at every line break before
   * cells are (so ranges of a file can be scanned apart), hence a quoted cell may not hold one.
   */
  static final String UNTERMINATED = "unterminated quote (a quoted cell must close on its own "
      + "line: line breaks inside quotes are not supported)";

  /** What a scan learned about a valid file: rows, SHA-256 and the largest target value. */
  public record Scan(long rows, String sha256, double maxTarget) {

    /** A scan without the largest target. */
    public Scan(long rows, String sha256) {
      this(rows, sha256, Double.NaN);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Scan s && rows == s.rows && sha256.equals(s.sha256);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(rows) * 31 + sha256.hashCode();
    }
  }

  /** Receives the selected values of each wanted row, in file order. */
  @FunctionalInterface
  public interface RowConsumer {
    /**
     * Called once per data row.
     *
     * @param row      0-based index of the data row (blank lines and the header not counted)
     * @param features the selected feature values, in the order asked; reused between calls
     * @param target   the target value
     */
    void accept(long row, double[] features, double target);
  }

  /** Decides, by row index, which rows {@link #read} parses fully. */
  @FunctionalInterface
  public interface RowFilter {
    /** Whether {@code row} is wanted. */
    boolean wants(long row);
  }

  /**
   * Validates the whole file: the header has the columns, every row has enough cells, every
   * selected value is a finite number.
   *
   * @return the number of data rows and the file's SHA-256 (hex)
   * @throws DataException naming the file and line of the first problem
   */
  public static Scan scan(Path path, List<String> features, String target) {
    return scan(path, features, target, y -> null);
  }

  /**
   * As {@link #scan(Path, List, String)}, also checking every target value with
   * {@code targetCheck} (null: fine; else what is wrong, reported with file and line), e.g. that
   * it is a class label of a classifier.
   */
  public static Scan scan(Path path, List<String> features, String target,
      java.util.function.DoubleFunction<String> targetCheck) {
    checkSelection(features, target);
    if (Files.isDirectory(path)) {
      throw new DataException(path + ": is a directory, not a CSV file");
    }
    long[] rows = {0};
    double[] max = {Double.NEGATIVE_INFINITY};
    String sha = read(path, features, target, row -> true, (row, x, y) -> {
      rows[0]++;
      max[0] = Math.max(max[0], y);
    }, targetCheck);
    if (rows[0] == 0) {
      throw new DataException(path + ": no data rows after the header");
    }
    return new Scan(rows[0], sha, max[0]);
  }

  /**
   * Reads the file and hands every wanted row to {@code consumer}. Unwanted rows are still split
   * (to count rows exactly as {@link #scan} does) but their numbers are not parsed.
   *
   * @return the SHA-256 (hex) of the bytes read, so a caller can prove it read the same file
   * @throws DataException naming the file and line of a problem
   */
  public static String read(Path path, List<String> features, String target, RowFilter filter,
      RowConsumer consumer) {
    return read(path, features, target, filter, consumer, y -> null);
  }

  private static String read(Path path, List<String> features, String target, RowFilter filter,
      RowConsumer consumer, java.util.function.DoubleFunction<String> targetCheck) {
    return read(path, features, target, true, filter, header -> { },
        (row, lineNo, cells, x, y) -> consumer.accept(row, x, y), targetCheck);
  }

  /** Receives each data row of {@link #stream} with its cells. */
  @FunctionalInterface
  public interface CellConsumer {
    /**
     * Called once per data row, in file order.
     *
     * @param row      0-based index of the data row
     * @param lineNo   1-based line number in the file (for messages)
     * @param cells    every cell of the row, trimmed and unquoted, as many as the header has
     * @param features the selected feature values, in the order asked; reused between calls
     * @param target   the target value, or NaN when the file has no target column
     */
    void accept(long row, long lineNo, List<String> cells, double[] features, double target);
  }

  /**
   * Streams the file row by row (constant memory) for scoring: the feature columns must be
   * there; the target column may be missing (then every target is NaN, and
   * {@code header} learns it from the column names). Each target present is checked with
   * {@code targetCheck} as in {@link #scan(Path, List, String, java.util.function.DoubleFunction)}.
   *
   * @param header receives the header's column names before the first row
   * @return the SHA-256 (hex) of the bytes read
   * @throws DataException naming the file and line of a problem
   */
  public static String stream(Path path, List<String> features, String target,
      java.util.function.Consumer<List<String>> header, CellConsumer rows,
      java.util.function.DoubleFunction<String> targetCheck) {
    if (Files.isDirectory(path)) {
      throw new DataException(path + ": is a directory, not a CSV file");
    }
    return read(path, features, target, false, row -> true, header, rows, targetCheck);
  }

  private static String read(Path path, List<String> features, String target,
      boolean targetRequired, RowFilter filter, java.util.function.Consumer<List<String>> onHeader,
      CellConsumer consumer, java.util.function.DoubleFunction<String> targetCheck) {
    // Only streaming for scoring hands the cells on; training reads numbers in place.
    boolean needCells = !targetRequired;
    MessageDigest sha = dev.tapetrain.protocol.Hashing.sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in,
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
      String header = reader.readLine();
      if (header != null && header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      long lineNo = 1;
      while (header != null && header.isBlank()) {
        header = reader.readLine();
        lineNo++;
      }
      if (header == null) {
        throw new DataException(path + ": file is empty (expected a header row such as 'x,y')");
      }
      CsvHeader.checkText(header, path, lineNo);
      List<String> columns = split(header, path, lineNo);
      CsvHeader.checkTwice(columns, features, target, path, lineNo);
      int[] featureIdx = new int[features.size()];
      for (int i = 0; i < featureIdx.length; i++) {
        featureIdx[i] = CsvHeader.column(columns, features.get(i), path);
      }
      int targetIdx = targetRequired || columns.contains(target)
          ? CsvHeader.column(columns, target, path) : -1;
      onHeader.accept(List.copyOf(columns));
      double[] x = new double[featureIdx.length];
      long row = 0;
      CsvLine cut = new CsvLine();
      String line;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        CsvHeader.checkText(line, path, lineNo);
        cut.split(line, path, lineNo);
        if (cut.count() != columns.size()) {
          throw new DataException(path + ":" + lineNo + ": expected " + columns.size()
              + " cells as in the header, found " + cut.count());
        }
        if (filter.wants(row)) {
          for (int i = 0; i < featureIdx.length; i++) {
            x[i] = cut.number(featureIdx[i], columns.get(featureIdx[i]), path, lineNo);
          }
          double y = Double.NaN;
          if (targetIdx >= 0) {
            y = cut.number(targetIdx, columns.get(targetIdx), path, lineNo);
            String problem = targetCheck.apply(y);
            if (problem != null) {
              throw new DataException(path + ":" + lineNo + ": column '"
                  + columns.get(targetIdx) + "': " + problem);
            }
          }
          consumer.accept(row, lineNo, needCells ? cells(cut) : List.of(), x, y);
        }
        row++;
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchFileException e) {
      throw new DataException(path + ": no such file");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new DataException(path + ": permission denied");
    } catch (CharacterCodingException e) {
      throw NotUtf8.error(path);
    } catch (IOException e) {
      throw new DataException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * The column names of {@code path}'s header row.
   *
   * @throws DataException if the file cannot be read or has no header
   */
  public static List<String> header(Path path) {
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      long lineNo = 1;
      if (line != null && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      while (line != null && line.isBlank()) {
        line = reader.readLine();
        lineNo++;
      }
      if (line == null) {
        throw new DataException(path + ": file is empty (expected a header row such as 'x,y')");
      }
      CsvHeader.checkText(line, path, lineNo);
      return split(line, path, lineNo);
    } catch (NoSuchFileException e) {
      throw new DataException(path + ": no such file");
    } catch (CharacterCodingException e) {
      throw NotUtf8.error(path);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new DataException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Column names as a command line lists them: comma-separated, with CSV's quoting for a name
   * that holds a comma ({@code a,"b,c"}).
   *
   * @throws DataException naming {@code option} for an empty name or a broken quote
   */
  public static List<String> columnList(String option, String text) {
    List<String> names;
    try {
      names = split(text, Path.of(option), 0);
    } catch (DataException e) {
      throw new DataException(option + ": " + e.getMessage().replaceFirst("^[^:]*:0: ", "")
          + " in '" + text + "'");
    }
    for (String n : names) {
      if (n.isEmpty()) {
        throw new DataException(option + ": empty column name in '" + text + "'");
      }
    }
    return names;
  }

  /** The SHA-256 (hex) of a file's bytes. */
  public static String sha256(Path path) {
    MessageDigest sha = dev.tapetrain.protocol.Hashing.sha256();
    try (InputStream in = Files.newInputStream(path)) {
      // Large reads: the digest's loop over many blocks per call gets compiled (to the CPU's
      // SHA instructions) sooner in a fresh JVM; with 64 KiB the first 32 MB took 1.5x longer.
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new DataException(path + ": no such file");
    } catch (IOException e) {
      throw new DataException(path + ": cannot read: " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Checks the column selection itself: no column twice, the target not also a feature.
   *
   * @throws IllegalArgumentException naming the option
   */
  public static void checkSelection(List<String> features, String target) {
    for (int i = 0; i < features.size(); i++) {
      if (features.indexOf(features.get(i)) != i) {
        throw new IllegalArgumentException("--features: column '" + features.get(i)
            + "' is listed twice");
      }
    }
    if (features.contains(target)) {
      throw new IllegalArgumentException("--features: column '" + target + "' is the target "
          + "(--target) and cannot be a feature too");
    }
  }

  private static List<String> cells(CsvLine cut) {
    List<String> cells = new ArrayList<>(cut.count());
    for (int i = 0; i < cut.count(); i++) {
      cells.add(cut.cell(i));
    }
    return cells;
  }

  /** Splits one CSV line into trimmed cells; a cell may be quoted ({@code "1.5"}). */
  static List<String> split(String line, Path path, long lineNo) {
    List<String> cells = new ArrayList<>();
    int n = line.length();
    int i = 0;
    while (true) {
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
      StringBuilder cell = new StringBuilder();
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new DataException(path + ":" + lineNo + ": " + UNTERMINATED);
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              cell.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cell.append(c);
          }
        }
        while (i < n && line.charAt(i) != ',') {
          if (!Character.isWhitespace(line.charAt(i))) {
            throw new DataException(path + ":" + lineNo + ": text after a closing quote");
          }
          i++;
        }
        cells.add(cell.toString().trim());
      } else {
        int start = i;
        while (i < n && line.charAt(i) != ',') {
          i++;
        }
        cells.add(line.substring(start, i).trim());
      }
      if (i >= n) {
        return cells;
      }
      i++; // the comma
    }
  }
}
