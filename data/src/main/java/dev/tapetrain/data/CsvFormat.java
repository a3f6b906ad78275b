package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.Settings;
import dev.tapetrain.spi.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code csv}: a CSV file with a header row ({@link CsvFile}); the coordinator validates every
 * row once, and each worker reads the rows of its chunks and proves by the file's SHA-256 that
 * it read the coordinator's copy.
 */
public final class CsvFormat implements InputFormat {

  /** {@code --features}. */
  public static final Setting FEATURES = Setting.text("features", "x",
      "CSV: feature columns, comma-separated (quote a name with a comma: a,\"b,c\"); '*': "
          + "every column but the target");
  /** {@code --target}. */
  public static final Setting TARGET = Setting.text("target", "y", "CSV: target column");

  @Override
  public String name() {
    return DatasetSpec.CSV;
  }

  @Override
  public String description() {
    return "a CSV file with a header row (--data FILE.csv)";
  }

  @Override
  public List<Setting> settings() {
    return List.of(FEATURES, TARGET);
  }

  @Override
  public boolean reads(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".csv");
  }

  @Override
  public Scanned scan(Request request) {
    Path data = request.data();
    if (data == null) {
      throw new UserError("--format csv needs --data FILE.csv");
    }
    Settings s = request.settings();
    String target = s.text(TARGET.name()).trim();
    String asked = s.text(FEATURES.name()).trim();
    boolean every = asked.equals("*");
    if (!every) {
      check(CsvFile.columnList("--features", asked), target);
    }
    if (Files.isDirectory(data)) {
      throw new UserError("--data " + data + ": is a directory, not a CSV file");
    }
    if (!Files.exists(data)) {
      throw new UserError("--data " + data + ": no such file");
    }
    if (!Files.isRegularFile(data)) {
      throw new UserError("--data " + data + ": not a regular file");
    }
    List<String> features;
    if (every) {
      features = new ArrayList<>(CsvFile.header(data));
      if (!features.remove(target)) {
        throw new DataException(data + ":1: no column '" + target + "' in header " + features);
      }
      if (features.isEmpty()) {
        throw new DataException(data + ":1: no column besides the target '" + target + "'");
      }
    } else {
      features = CsvFile.columnList("--features", asked);
    }
    CsvFile.Scan scan = CsvFile.scan(data, features, target, request.targetCheck());
    return new Scanned(DatasetSpec.Source.csv(data.toAbsolutePath().normalize().toString(),
        features, target, scan.rows(), scan.sha256()), scan.maxTarget());
  }

  @Override
  public String digestNow(DatasetSpec.Source source) {
    return CsvFile.scan(Path.of(source.setting("path")), source.columns(), source.target())
        .sha256();
  }

  @Override
  public String load(DatasetSpec dataset, List<Segment> segments) {
    DatasetSpec.Source csv = dataset.source();
    int features = csv.features();
    // Which segment holds each chunk (null: not wanted).
    Segment[] holder = new Segment[dataset.numChunks()];
    for (Segment seg : segments) {
      for (int k = 0; k < seg.chunks(); k++) {
        holder[seg.firstChunk() + k] = seg;
      }
    }
    int chunkSize = dataset.chunkSize();
    String path = csv.setting("path");
    String sha = CsvFile.read(Path.of(path), csv.columns(), csv.target(),
        row -> row < csv.rows() && holder[(int) (row / chunkSize)] != null,
        (row, x, y) -> {
          int c = (int) (row / chunkSize);
          Segment seg = holder[c];
          int i = seg.start(c) + (int) (row % chunkSize);
          for (int f = 0; f < features; f++) {
            seg.x()[f][i] = x[f];
          }
          seg.y()[i] = y;
        });
    if (!sha.equals(csv.digest())) {
      throw new DataException(path + ": this copy differs from the coordinator's (SHA-256 "
          + abbreviate(sha) + " here, " + abbreviate(csv.digest()) + " there)");
    }
    return sha;
  }

  private static void check(List<String> features, String target) {
    try {
      CsvFile.checkSelection(features, target);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
