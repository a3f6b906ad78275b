package dev.tapetrain.data;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * The coordinator's scan of one CSV file, by the rules of {@link CsvFile#scan} (the same rows,
 * values and messages), that also feeds every line with its byte offset to a
 * {@link CsvManifest.Builder}, so the manifest costs no second read.
 */
final class CsvScan {

  private CsvScan() {}

  /**
   * Checks every row of {@code path} and adds the file to {@code manifest}.
   *
   * @return the rows, the whole file's SHA-256 and the largest target
   * @throws DataException naming file and line of the first problem
   */
  static FileFormat.FileScan scan(Path path, List<String> features, String target,
      DoubleFunction<String> targetCheck, CsvManifest.Builder manifest) {
    return scan(path, features, target, targetCheck, manifest,
        Math.min(Runtime.getRuntime().availableProcessors(), MAX_THREADS), PARALLEL_BYTES);
  }

  /** Files from this size on are scanned by ranges on several threads ({@link CsvRangeScan}). */
  static final long PARALLEL_BYTES = 16L << 20;
  private static final int MAX_THREADS = 16;

  /**
   * As {@link #scan(Path, List, String, DoubleFunction, CsvManifest.Builder)}, on
   * {@code threads} threads for a file of at least {@code parallelBytes} bytes.
   */
  static FileFormat.FileScan scan(Path path, List<String> features, String target,
      DoubleFunction<String> targetCheck, CsvManifest.Builder manifest, int threads,
      long parallelBytes) {
    CsvFile.checkSelection(features, target);
    if (Files.isDirectory(path)) {
      throw new DataException(path + ": is a directory, not a CSV file");
    }
    // The whole file's SHA-256 (the digest config.json shows and --resume checks) on another
    // core while this one parses and hashes the pieces: one read's time instead of two.
    CompletableFuture<String> whole = CompletableFuture.supplyAsync(() -> CsvFile.sha256(path));
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      // Ranges call the check from several threads out of row order: only a stateless one.
      if (threads > 1 && size >= parallelBytes && targetCheck instanceof InputFormat.OrderFree) {
        CsvRangeScan.Result r = byRanges(path, ch, size, features, target, targetCheck,
            manifest, threads);
        if (r != null) {
          String sha = whole.join();
          if (r.values() != null) {
            ScanHandoff.keep(path, sha, features, target, r.values());
          }
          return new FileFormat.FileScan(r.rows(), sha, r.max());
        }
        // Given back, maybe because the file changed while the ranges read it: the digest
        // read alongside may be of the old bytes, so it is read again with the scan below.
        whole = CompletableFuture.supplyAsync(() -> CsvFile.sha256(path));
      }
      CsvBytes lines = new CsvBytes(ch, path, 0, size);
      manifest.startFile();
      CsvHeader header = null;
      long lineNo = 0;
      long rows = 0;
      double max = Double.NEGATIVE_INFINITY;
      double[] x = new double[features.size()];
      CsvLine cut = new CsvLine();
      CsvByteRow fast = new CsvByteRow();
      // The parsed values, for workers of this JVM, if a scan may keep them (ScanHandoff).
      long room = ScanHandoff.room();
      ScannedColumns values = room > 0 ? ScannedColumns.growing(features.size()) : null;
      CsvStrictRow strict = null;
      while (true) {
        boolean plain = strict != null && lines.nextRow(strict, x);
        if (!plain && !lines.next()) {
          break;
        }
        lineNo++;
        boolean row = false;
        double y = 0;
        if (plain) {
          y = strict.target();
          row = true;
        } else if (header != null && fast.parse(lines.array(), lines.from(), lines.textEnd(),
            header, x)) {
          y = fast.target();
          row = true;
        } else {
          String text = lines.text();
          if (header == null) {
            if (lineNo == 1 && text.startsWith("\uFEFF")) {
              text = text.substring(1);
            }
            if (!text.isBlank()) {
              header = CsvHeader.parse(text, path, lineNo, features, target);
              strict = new CsvStrictRow(header);
            }
          } else if (!text.isBlank()) {
            y = row(cut, text, path, lineNo, header, x);
            row = true;
          }
        }
        if (row) {
          String problem = targetCheck.apply(y);
          if (problem != null) {
            throw new DataException(path + ":" + lineNo + ": column '"
                + header.columns().get(header.target()) + "': " + problem);
          }
          max = Math.max(max, y);
          rows++;
          if (values != null && !values.add(x, y, room)) {
            values = null; // past the budget: the workers read this file
          }
        }
        manifest.line(row, lines.start(), lineNo, lines.array(), lines.from(), lines.to());
      }
      if (header == null) {
        throw new DataException(path + ": file is empty (expected a header row such as 'x,y')");
      }
      if (rows == 0) {
        throw new DataException(path + ": no data rows after the header");
      }
      if (lines.bytesRead() != size) {
        throw new DataException(path + ": changed while it was read");
      }
      manifest.endFile(size);
      String sha = whole.join();
      if (values != null) {
        ScanHandoff.keep(path, sha, features, target, values.trimmed());
      }
      return new FileFormat.FileScan(rows, sha, max);
    } catch (CompletionException e) {
      throw e.getCause() instanceof DataException de ? de
          : new DataException(path + ": cannot read: " + e.getCause(), e);
    } catch (NoSuchFileException e) {
      throw new DataException(path + ": no such file");
    } catch (AccessDeniedException e) {
      throw new DataException(path + ": permission denied");
    } catch (IOException e) {
      throw new DataException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static CsvRangeScan.Result byRanges(Path path, FileChannel ch, long size,
      List<String> features, String target, DoubleFunction<String> targetCheck,
      CsvManifest.Builder manifest, int threads) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "csv-scan");
      t.setDaemon(true);
      return t;
    });
    try {
      return CsvRangeScan.scan(path, ch, size, features, target, targetCheck, manifest, pool,
          threads);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataException(path + ": scan interrupted");
    } finally {
      pool.shutdown(); // no interrupts: they would close the channel (see CsvRangeScan)
    }
  }

  /**
   * Cuts a data row and parses its selected cells into {@code x}.
   *
   * @return its target value
   */
  static double row(CsvLine cut, String text, Path path, long lineNo, CsvHeader header,
      double[] x) {
    CsvHeader.checkText(text, path, lineNo);
    cut.split(text, path, lineNo);
    List<String> columns = header.columns();
    if (cut.count() != columns.size()) {
      throw new DataException(path + ":" + lineNo + ": expected " + columns.size()
          + " cells as in the header, found " + cut.count());
    }
    int[] f = header.features();
    for (int i = 0; i < f.length; i++) {
      x[i] = cut.number(f[i], columns.get(f[i]), path, lineNo);
    }
    int t = header.target();
    return cut.number(t, columns.get(t), path, lineNo);
  }
}
