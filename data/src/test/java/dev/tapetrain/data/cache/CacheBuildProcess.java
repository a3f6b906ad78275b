package dev.tapetrain.data.cache;

import dev.tapetrain.data.CsvFormat;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A second JVM for {@link CacheProcessesTest}: scans a CSV file, optionally waits until every
 * process named by the test is ready (files in a directory), opens the file's column-cache
 * entry (building it if needed) and prints what it did, one fact a line:
 * {@code opening MILLIS}, {@code note …} per note, {@code builds N}, {@code opened MILLIS},
 * {@code rows N}, {@code values HASH}.
 *
 * <p>Arguments: CSV file, cache directory, ready directory or {@code -}, processes to wait for.
 */
public final class CacheBuildProcess {

  private CacheBuildProcess() {}

  /** The dataset the test and this process both scan from {@code csv}. */
  static DatasetSpec scan(Path csv) {
    CsvFormat format = new CsvFormat();
    InputFormat.Scanned s = format.scan(new InputFormat.Request(csv, Settings.of(
        format.settings(), Map.of("features", "a,b,c", "target", "y"), n -> "--" + n), 0, 0,
        y -> null));
    return new DatasetSpec(s.source(), 4096);
  }

  /** A hash of every value's bits, column by column (after checking every block). */
  static long hash(MappedColumns m) {
    m.verify(0, m.rows());
    long h = 17;
    double[] buf = new double[8192];
    for (int c = 0; c < m.columns(); c++) {
      for (long from = 0; from < m.rows(); from += buf.length) {
        int n = (int) Math.min(buf.length, m.rows() - from);
        m.copy(c, from, buf, 0, n);
        for (int i = 0; i < n; i++) {
          h = h * 31 + Double.doubleToRawLongBits(buf[i]);
        }
      }
    }
    return h;
  }

  /** See the class comment. */
  public static void main(String[] args) throws Exception {
    DatasetSpec dataset = scan(Path.of(args[0]));
    CacheSettings settings = new CacheSettings(CacheSettings.Mode.ON, Path.of(args[1]),
        CacheSettings.DEFAULT_MAX_BYTES);
    if (!args[2].equals("-")) {
      Path ready = Path.of(args[2]);
      Files.createFile(ready.resolve(Long.toString(ProcessHandle.current().pid())));
      int wanted = Integer.parseInt(args[3]);
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (true) {
        try (var list = Files.list(ready)) {
          if (list.count() >= wanted) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the other process never got ready");
        }
        Thread.sleep(5);
      }
    }
    System.out.println("opening " + System.currentTimeMillis());
    MappedColumns m = ColumnCache.open(settings, dataset, note -> System.out.println("note "
        + note));
    System.out.println("builds " + ColumnCache.builds());
    System.out.println("opened " + System.currentTimeMillis());
    System.out.println("rows " + m.rows());
    System.out.println("values " + hash(m));
    System.out.flush();
  }
}
