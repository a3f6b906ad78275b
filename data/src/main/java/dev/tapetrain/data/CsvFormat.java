package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * {@code csv}: CSV files with a header row ({@link CsvFile}); the coordinator validates every
 * row once and records a {@link CsvManifest}, and each worker seeks to the pieces that hold its
 * chunks and proves by their digests that it read the coordinator's copy (data recorded before
 * manifests: by each whole file's SHA-256).
 */
public final class CsvFormat extends FileFormat {

  @Override
  public String name() {
    return DatasetSpec.CSV;
  }

  @Override
  public String description() {
    return "CSV files with a header row (--data FILE.csv, a directory or a glob)";
  }

  @Override
  protected String extension() {
    return ".csv";
  }

  @Override
  protected List<String> columns(Path file) {
    return CsvFile.header(file);
  }

  /**
   * Whether {@code file} has a header and no row after it (blank lines are no rows, as in the
   * scan); false for an unreadable file, which the scan then names.
   */
  @Override
  protected boolean hasNoRows(Path file) {
    try (java.io.BufferedReader reader = java.nio.file.Files.newBufferedReader(file,
        java.nio.charset.StandardCharsets.UTF_8)) {
      int nonBlank = 0;
      boolean firstLine = true;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (firstLine && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        firstLine = false;
        if (!line.isBlank() && ++nonBlank > 1) {
          return false;
        }
      }
      return nonBlank == 1;
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  @Override
  protected String schema(Path file) {
    return "header " + CsvFile.header(file);
  }

  @Override
  protected FileScan scanFile(Path file, List<String> features, String target,
      DoubleFunction<String> targetCheck, CsvManifest.Builder manifest) {
    return CsvScan.scan(file, features, target, targetCheck, manifest);
  }

  /**
   * Reads only the pieces of each file that hold the parts, each checked against its digest in
   * the manifest; a file none of whose rows are wanted is not read at all, nor one whose values
   * a scan of this JVM handed over ({@link ScanHandoff}).
   */
  @Override
  String loadByManifest(FileSet set, DatasetSpec.Source src, List<List<Part>> parts) {
    CsvManifest manifest = CsvManifest.of(src);
    if (manifest == null) {
      return null;
    }
    if (manifest.files().size() != set.files().size()) {
      throw new DataException("the data's manifest is damaged (" + manifest.files().size()
          + " files, " + set.files().size() + " expected)");
    }
    long first = 0;
    for (int k = 0; k < set.files().size(); k++) {
      FileSet.DataFile f = set.files().get(k);
      // Values a scan of this JVM kept are the very ones this read would parse, from the bytes
      // whose piece digests the manifest holds: copied, the dataset's digest is the scan's own
      // (the same bytes), with no file read to check it by. Any other file is read and checked.
      if (!parts.get(k).isEmpty()
          && !ScanHandoff.take(f, src.columns(), src.target(), parts.get(k))) {
        CsvPieceReader.read(f.path(), manifest, manifest.files().get(k), first, f.rows(),
            src.columns(), src.target(), parts.get(k));
      }
      first += f.rows();
    }
    return set.digest();
  }

  @Override
  CsvManifest.Builder manifestBuilder() {
    return new CsvManifest.Builder();
  }

  @Override
  protected String digestFile(Path file, List<String> features, String target) {
    return CsvFile.scan(file, features, target).sha256();
  }

  @Override
  protected String loadFile(Path file, List<String> features, String target, List<Part> parts) {
    int n = features.size();
    // Parts come in row order, so the part holding a row is found by walking forward.
    int[] next = {0};
    return CsvFile.read(file, features, target, row -> {
      while (next[0] < parts.size() && parts.get(next[0]).to() <= row) {
        next[0]++;
      }
      return next[0] < parts.size() && parts.get(next[0]).from() <= row;
    }, (row, x, y) -> {
      Part p = parts.get(next[0]);
      int i = p.at() + (int) (row - p.from());
      for (int f = 0; f < n; f++) {
        p.x()[f][i] = x[f];
      }
      p.y()[i] = y;
    });
  }
}
