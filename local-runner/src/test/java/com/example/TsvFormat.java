package com.example;

import dev.tapetrain.data.DataException;
import dev.tapetrain.data.InputFormat;
import dev.tapetrain.data.Segment;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A user's input format in one file: tab-separated values with a header row, every column a
 * feature but the label column ({@code --set label-column=NAME}, the last one by default);
 * {@code --data FILE.tsv}, or any file with {@code --format tsv --set separator=;}. Small files
 * only: it reads the whole file on both sides.
 */
public final class TsvFormat implements InputFormat {

  static final Setting LABEL = Setting.text("label-column", "", "tsv: the target column "
      + "(default: the last)");

  static final Setting SEPARATOR = Setting.text("separator", "\t", "tsv: the cell separator");

  @Override
  public String name() {
    return "tsv";
  }

  @Override
  public List<Setting> settings() {
    return List.of(LABEL, SEPARATOR);
  }

  @Override
  public boolean reads(Path path) {
    return path.getFileName() != null && path.getFileName().toString().endsWith(".tsv");
  }

  @Override
  public Scanned scan(Request request) {
    String separator = request.settings().text(SEPARATOR.name());
    Table t = Table.read(request.data(), separator);
    String label = request.settings().text(LABEL.name());
    int y = label.isEmpty() ? t.header.length - 1 : Arrays.asList(t.header).indexOf(label);
    if (y < 0) {
      throw new UserError("--set label-column: no column '" + label + "' in " + request.data());
    }
    double max = Double.NaN;
    for (double[] row : t.rows) {
      String problem = request.targetCheck().apply(row[y]);
      if (problem != null) {
        throw new DataException(request.data() + ": " + problem);
      }
      max = Double.isNaN(max) ? row[y] : Math.max(max, row[y]);
    }
    List<String> features = new java.util.ArrayList<>(Arrays.asList(t.header));
    features.remove(y);
    return new Scanned(new DatasetSpec.Source(name(),
        Map.of("path", request.data().toAbsolutePath().toString(), "label-column", label,
            "separator", separator),
        features, t.header[y], t.rows.size(), t.sha256), max);
  }

  @Override
  public String load(DatasetSpec dataset, List<Segment> segments) {
    DatasetSpec.Source source = dataset.source();
    Table t = Table.read(Path.of(source.setting("path")), source.setting("separator"));
    int y = Arrays.asList(t.header).indexOf(source.target());
    for (Segment seg : segments) {
      for (int k = 0; k < seg.chunks(); k++) {
        int c = seg.firstChunk() + k;
        for (int i = 0; i < dataset.chunkLength(c); i++) {
          double[] row = t.rows.get((int) dataset.chunkStart(c) + i);
          int f = 0;
          for (int j = 0; j < row.length; j++) {
            if (j != y) {
              seg.x()[f++][seg.start(c) + i] = row[j];
            }
          }
          seg.y()[seg.start(c) + i] = row[y];
        }
      }
    }
    return t.sha256;
  }

  /** The file: its header, its rows of numbers and the SHA-256 of its bytes. */
  private record Table(String[] header, List<double[]> rows, String sha256) {
    static Table read(Path file, String separator) {
      try {
        byte[] bytes = Files.readAllBytes(file);
        List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines()
            .filter(l -> !l.isBlank()).toList();
        String sep = java.util.regex.Pattern.quote(separator);
        String[] header = lines.get(0).split(sep);
        List<double[]> rows = new java.util.ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
          String[] cells = lines.get(n).split(sep);
          if (cells.length != header.length) {
            throw new DataException(file + ":" + (n + 1) + ": " + cells.length + " cells, "
                + header.length + " columns");
          }
          rows.add(Arrays.stream(cells).mapToDouble(Double::parseDouble).toArray());
        }
        return new Table(header, rows, HexFormat.of().formatHex(
            MessageDigest.getInstance("SHA-256").digest(bytes)));
      } catch (IOException e) {
        throw new DataException(file + ": cannot read: " + e.getMessage());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
