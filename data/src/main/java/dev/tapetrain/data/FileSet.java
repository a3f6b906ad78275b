package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.Hashing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of one dataset, in their fixed order (paths sorted by code point), each with its
 * row count and SHA-256: sample {@code i} of the dataset is row {@code i - firstRow(k)} of the
 * file {@code k} that holds it. Chunks are cut from this one sequence of samples, so a chunk may
 * end in one file and go on in the next, and the same rows split over several files form the
 * same chunks as in one file.
 *
 * <p>In a {@link DatasetSpec.Source}: one file is {@code path} (its digest the source's, as
 * before many files were read); several are {@code paths} (one per line), {@code file-rows} and
 * {@code file-digests} (comma-separated), and the source's digest is the SHA-256 of the lines
 * {@code "<sha256> <rows>\n"} of the files in order.
 *
 * @param files the files, in order
 */
public record FileSet(List<DataFile> files) {

  /**
   * One file of a dataset.
   *
   * @param path   its absolute, normalized path
   * @param rows   its data rows, at least 1
   * @param digest the SHA-256 (hex) of its bytes, or for Parquet scanned since 2026-12-07
   *               {@code rg1:} and the SHA-256 of its row-group line (which covers its bytes)
   */
  public record DataFile(Path path, long rows, String digest) {}

  /** Copies the list; it must not be empty. */
  public FileSet {
    files = List.copyOf(files);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("a dataset needs at least one file");
    }
  }

  /** The files {@code source} describes (as {@link #settings} wrote them). */
  public static FileSet of(DatasetSpec.Source source) {
    String one = source.setting("path");
    if (one != null) {
      return new FileSet(List.of(new DataFile(Path.of(one), source.rows(), source.digest())));
    }
    String paths = source.setting("paths");
    if (paths == null) {
      throw new DataException("the data of format " + source.format() + " name no file");
    }
    String[] p = paths.split("\n", -1);
    String[] r = source.setting("file-rows").split(",", -1);
    String[] d = source.setting("file-digests").split(",", -1);
    if (r.length != p.length || d.length != p.length) {
      throw new DataException("the data's file list is damaged (" + p.length + " paths, "
          + r.length + " row counts, " + d.length + " digests)");
    }
    List<DataFile> files = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      files.add(new DataFile(Path.of(p[i]), Long.parseLong(r[i]), d[i]));
    }
    return new FileSet(files);
  }

  /** The total number of rows. */
  public long rows() {
    long n = 0;
    for (DataFile f : files) {
      n += f.rows();
    }
    return n;
  }

  /** The first row of file {@code k}, counted over the whole dataset. */
  public long firstRow(int k) {
    long n = 0;
    for (int i = 0; i < k; i++) {
      n += files.get(i).rows();
    }
    return n;
  }

  /**
   * The dataset's digest: the file's SHA-256 for one file, else the SHA-256 of the lines
   * {@code "<sha256> <rows>\n"} of the files in order.
   */
  public String digest() {
    if (files.size() == 1) {
      return files.get(0).digest();
    }
    return combined(files.stream().map(DataFile::digest).toList());
  }

  /** {@link #digest()} of these files' rows with other per-file digests (as read now). */
  public String digestWith(List<String> digests) {
    if (digests.size() == 1) {
      return digests.get(0);
    }
    return combined(digests);
  }

  private String combined(List<String> digests) {
    MessageDigest sha = Hashing.sha256();
    for (int i = 0; i < files.size(); i++) {
      sha.update((digests.get(i) + " " + files.get(i).rows() + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The source's settings that name the files: see the class comment. */
  public Map<String, String> settings() {
    Map<String, String> s = new TreeMap<>();
    if (files.size() == 1) {
      s.put("path", files.get(0).path().toString());
      return s;
    }
    List<String> paths = new ArrayList<>();
    List<String> rows = new ArrayList<>();
    List<String> digests = new ArrayList<>();
    for (DataFile f : files) {
      paths.add(f.path().toString());
      rows.add(Long.toString(f.rows()));
      digests.add(f.digest());
    }
    s.put("paths", String.join("\n", paths));
    s.put("file-rows", String.join(",", rows));
    s.put("file-digests", String.join(",", digests));
    return s;
  }

  /** What a message calls {@code source}'s data: its file(s), or its format's data. */
  public static String describe(DatasetSpec.Source source) {
    if (source.setting("path") == null && source.setting("paths") == null) {
      return "the " + source.format() + " data";
    }
    return of(source).describe();
  }

  /** What a message calls the data: the file, or the first file and how many more. */
  public String describe() {
    return files.size() == 1 ? files.get(0).path().toString()
        : files.get(0).path() + " and " + (files.size() - 1) + " more files";
  }

  /** Receives one file's part of a range of samples. */
  @FunctionalInterface
  public interface PartConsumer {
    /**
     * Called per file holding samples of the range, in order.
     *
     * @param file the file's index
     * @param from the first row wanted, counted in the file
     * @param to   one past the last
     * @param at   where row {@code from} goes, counted from the range's first sample
     */
    void accept(int file, long from, long to, int at);
  }

  /** Splits samples {@code [from, to)} of the dataset into the parts of each file. */
  public void parts(long from, long to, PartConsumer consumer) {
    long first = 0;
    for (int k = 0; k < files.size() && first < to; k++) {
      long end = first + files.get(k).rows();
      long a = Math.max(from, first);
      long b = Math.min(to, end);
      if (a < b) {
        consumer.accept(k, a - first, b - first, (int) (a - from));
      }
      first = end;
    }
  }
}
