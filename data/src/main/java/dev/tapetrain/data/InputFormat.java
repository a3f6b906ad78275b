package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Plugin;
import dev.tapetrain.spi.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * A kind of training data (CSV files, generated data, a user's own format): the plug-in that
 * scans a dataset once on the coordinator's side and reads a worker's chunks on the worker's.
 * Found with {@link java.util.ServiceLoader} ({@code META-INF/services/dev.tapetrain.data
 * .InputFormat}); see {@link InputFormats}.
 *
 * <p>Both sides must agree on every value: a format reads the same bytes the same way in
 * {@link #scan} and {@link #load}, and {@link #load} proves what it read by a digest that must
 * equal the scan's ({@link DatasetSpec.Source#digest()}), so a worker with other data never
 * contributes.
 */
public interface InputFormat extends Plugin {

  /**
   * Whether {@code --data path} is data of this format (by its name's extension, say). A format
   * that reads no file (generated data) says false.
   */
  boolean reads(Path path);

  /**
   * Whether one dataset of this format may be several files ({@link Request#files()}); a format
   * that says false is given one file at most.
   */
  default boolean readsManyFiles() {
    return false;
  }

  /**
   * Checks the data in full and describes them, before any run directory exists.
   *
   * @throws dev.tapetrain.spi.UserError (or {@link DataException}) naming the setting, or the
   *     file and line, of the first problem
   */
  Scanned scan(Request request);

  /**
   * Reads the samples of the chunks {@code segments} hold into them ({@link Segment#x()}
   * column-major, {@link Segment#y()}).
   *
   * @return the digest of the data read, never assumed: the scan's when they are the same
   * @throws DataException if the data cannot be read
   */
  String load(DatasetSpec dataset, List<Segment> segments);

  /**
   * The digest of {@code source}'s data as they are now, so a resumed run refuses data that
   * changed since it started; by default the source's own (data that cannot change, such as
   * generated ones).
   *
   * @throws DataException if the data cannot be read any more
   */
  default String digestNow(DatasetSpec.Source source) {
    return source.digest();
  }

  /**
   * A target check that keeps no state, so a format may check rows on several threads in any
   * order (the CSV scan by byte ranges does); a check that counts or remembers rows is not
   * wrapped, and is called in row order from one thread.
   *
   * @param check the check
   */
  record OrderFree(DoubleFunction<String> check) implements DoubleFunction<String> {
    @Override
    public String apply(double y) {
      return check.apply(y);
    }
  }

  /**
   * What a scan is asked to do.
   *
   * @param data        the {@code --data} file (the first of several), or null for a format
   *                    that reads no file
   * @param settings    the format's settings, checked against its declarations
   * @param seed        {@code --seed}
   * @param classes     the classes of the model's targets if known before reading (0: a
   *                    regression), or null for class labels whose count the data decide
   * @param targetCheck checks one target: null if the model can learn from it, else what is
   *                    wrong (reported with the file and line). Called once a row, in row
   *                    order, from one thread — unless it is an {@link OrderFree} check, which
   *                    a format may call from several threads in any order
   * @param files       every file {@code --data} names, absolute, in the dataset's order (paths
   *                    sorted by code point; see {@link DataPaths}); empty without {@code --data}
   */
  record Request(Path data, Settings settings, long seed, Integer classes,
      DoubleFunction<String> targetCheck, List<Path> files) {

    /** Copies the list; {@code data} is its first file. */
    public Request {
      files = files == null ? (data == null ? List.of() : List.of(data)) : List.copyOf(files);
      if (!files.isEmpty() && !files.get(0).equals(data)) {
        throw new IllegalArgumentException("data must be the first of the files");
      }
    }

    /** A request for one file ({@code data}), or none (null). */
    public Request(Path data, Settings settings, long seed, Integer classes,
        DoubleFunction<String> targetCheck) {
      this(data, settings, seed, classes, targetCheck, null);
    }
  }

  /**
   * What a scan found.
   *
   * @param source    the data as workers will read them
   * @param maxTarget the largest target (for the class count of a classifier), NaN if none
   * @param notes     what the user should hear about the choice made (one line each)
   */
  record Scanned(DatasetSpec.Source source, double maxTarget, List<String> notes) {

    /** Copies the notes. */
    public Scanned {
      notes = List.copyOf(notes);
    }

    /** A scan with nothing to say. */
    public Scanned(DatasetSpec.Source source, double maxTarget) {
      this(source, maxTarget, List.of());
    }
  }
}
