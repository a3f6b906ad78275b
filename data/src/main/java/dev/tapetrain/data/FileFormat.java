package dev.tapetrain.data;

import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Setting;
import dev.tapetrain.spi.Settings;
import dev.tapetrain.spi.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * What the file formats (CSV, Parquet) share: a dataset is one or more files of one format with
 * the same columns ({@link FileSet}), features and target chosen by column name, each file
 * scanned in full on the coordinator's side, and a worker reading the rows of its chunks from
 * each file and proving that it read the coordinator's copy: by the digests of the pieces it read
 * where the scan made a {@link CsvManifest} (CSV), else by each whole file's SHA-256. A format
 * says how to read one file.
 */
public abstract class FileFormat implements InputFormat {

  /** {@code --features}. */
  public static final Setting FEATURES = Setting.text("features", "x",
      "Data files: feature columns, comma-separated (quote a name with a comma: a,\"b,c\"); "
          + "'*': every column but the target");
  /** {@code --target}. */
  public static final Setting TARGET = Setting.text("target", "y", "Data files: target column");

  /** What scanning one file found. */
  protected record FileScan(long rows, String sha256, double maxTarget, String pieces) {

    /** A scan without per-file pieces. */
    protected FileScan(long rows, String sha256, double maxTarget) {
      this(rows, sha256, maxTarget, null);
    }
  }

  /**
   * Samples a worker wants from one file: rows {@code [from, to)} of the file go to
   * {@code x[f][at …]} and {@code y[at …]}.
   */
  protected record Part(long from, long to, double[][] x, double[] y, int at) {}

  /** The extension of this format's file names, lower case with its dot ({@code .csv}). */
  protected abstract String extension();

  /** The column names of {@code file}, for {@code --features '*'}. */
  protected abstract List<String> columns(Path file);

  /**
   * What must be the same in every file of a dataset (the header, the schema), as a text that
   * says it in a message.
   */
  protected abstract String schema(Path file);

  /**
   * Checks every row of {@code file}: the columns are there and every selected value is a
   * number, every target passes {@code targetCheck}.
   */
  protected abstract FileScan scanFile(Path file, List<String> features, String target,
      DoubleFunction<String> targetCheck, CsvManifest.Builder manifest);

  /**
   * A builder of the manifest that lets a worker read only its rows, fed by {@link #scanFile};
   * null for a format without one.
   */
  CsvManifest.Builder manifestBuilder() {
    return null;
  }

  /**
   * Reads the {@code parts} (in row order) of {@code file}.
   *
   * @return the SHA-256 (hex) of the file's bytes as read now
   */
  protected abstract String loadFile(Path file, List<String> features, String target,
      List<Part> parts);

  /** The SHA-256 (hex) of {@code file} as it is now, checked as {@link #scanFile} would. */
  protected abstract String digestFile(Path file, List<String> features, String target);

  /**
   * {@code file}'s digest as it is now, of the kind the run recorded ({@code recorded}): a
   * format whose scans record another identity than the whole file's SHA-256 computes that one.
   */
  protected String digestFile(Path file, List<String> features, String target,
      String recorded) {
    return digestFile(file, features, target);
  }

  /**
   * The digest {@code file} has now, of the kind of {@code recorded} (a run's digest of it): a
   * Parquet file's row-group identity, or the whole file's SHA-256. For predict, which checks
   * that files are a run's data.
   */
  public static String digestLike(Path file, String recorded) {
    return RowGroupDigests.isIdentity(recorded) ? ParquetFormat.identityNow(file)
        : CsvFile.sha256(file);
  }

  /**
   * Whether {@code file} (its columns already checked against the dataset's) holds no rows, so
   * that a dataset of several files can leave it out. False when unsure: the scan then says
   * what is wrong.
   */
  protected boolean hasNoRows(Path file) {
    return false;
  }

  @Override
  public List<Setting> settings() {
    return List.of(FEATURES, TARGET);
  }

  @Override
  public boolean reads(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(extension());
  }

  @Override
  public boolean readsManyFiles() {
    return true;
  }

  @Override
  public Scanned scan(Request request) {
    List<Path> files = request.files();
    if (files.isEmpty()) {
      throw new UserError("--format " + name() + " needs --data FILE" + extension());
    }
    Settings s = request.settings();
    String target = s.text(TARGET.name()).trim();
    String asked = s.text(FEATURES.name()).trim();
    boolean every = asked.equals("*");
    if (!every) {
      check(CsvFile.columnList("--features", asked), target);
    }
    for (Path f : files) {
      if (!java.nio.file.Files.isRegularFile(f)) {
        throw new UserError("--data " + f + ": not a regular file");
      }
    }
    Path first = files.get(0);
    List<String> features;
    List<String> notes = new ArrayList<>();
    if (every) {
      List<String> all = columns(first);
      features = new ArrayList<>(all);
      if (!features.remove(target)) {
        throw new DataException(first + ": no column '" + target + "' among " + features);
      }
      // pandas writes its unnamed index first; empty names elsewhere are a spreadsheet's
      // empty header cells (x,y,,), left out as such, not as an index.
      String firstColumn = all.isEmpty() ? null : all.get(0);
      List<String> index = features.stream().filter(c -> isPandasIndex(c)
          && (!c.isEmpty() || c.equals(firstColumn))).distinct().toList();
      long unnamed = features.stream().filter(String::isEmpty).count()
          - (index.contains("") ? 1 : 0);
      features.removeIf(String::isEmpty);
      if (unnamed > 0) {
        notes.add("--features '*': left out " + unnamed + " column" + (unnamed > 1 ? "s" : "")
            + " of " + first.getFileName() + " without a name (empty header cells)");
      }
      if (!index.isEmpty()) {
        features.removeAll(index);
        notes.add("--features '*': left out " + first.getFileName() + "'s pandas index column"
            + (index.size() > 1 ? "s " : " ") + String.join(", ", index.stream()
                .map(c -> c.isEmpty() ? "'' (unnamed)" : "'" + c + "'").toList())
            + " (to train on one, name it in --features)");
      }
      if (features.isEmpty()) {
        throw new DataException(first + ": no column besides the target '" + target + "'");
      }
    } else {
      features = CsvFile.columnList("--features", asked);
    }
    String schema = files.size() > 1 ? schema(first) : null;
    List<FileSet.DataFile> scanned = new ArrayList<>();
    CsvManifest.Builder manifest = manifestBuilder();
    List<String> pieces = new ArrayList<>();
    double max = Double.NEGATIVE_INFINITY;
    List<Path> skipped = new ArrayList<>();
    for (Path f : files) {
      if (schema != null && f != first) {
        String other = schema(f);
        if (!other.equals(schema)) {
          throw new DataException(f + ": its columns differ from those of " + first + " ("
              + other + " against " + schema + "); the files of one dataset have the same "
              + "columns" + firstDifference(other, schema));
        }
      }
      // An empty partition (pandas, Spark and pyarrow write them) holds no rows to train on:
      // left out of the dataset, and so of its identity, once its columns are checked.
      if (schema != null && hasNoRows(f)) {
        skipped.add(f);
        continue;
      }
      FileScan one = scanFile(f, features, target, request.targetCheck(), manifest);
      scanned.add(new FileSet.DataFile(f, one.rows(), one.sha256()));
      pieces.add(one.pieces());
      max = Math.max(max, one.maxTarget());
    }
    if (scanned.isEmpty()) {
      scanFile(first, features, target, request.targetCheck(), manifest); // refuses, as ever
      throw new DataException(first + ": no rows");
    }
    if (!skipped.isEmpty()) {
      notes.add("--data: skipped " + skipped.size() + " of " + files.size() + " files, which "
          + "hold no rows (" + String.join(", ", skipped.stream().limit(3)
              .map(f -> String.valueOf(f.getFileName())).toList())
          + (skipped.size() > 3 ? ", …" : "") + ")");
    }
    if (pieces.contains(null)) {
      // No manifest for these data (a file without row-group lines): every file is known by
      // its whole SHA-256, as workers reading whole files check it.
      for (int k = 0; k < scanned.size(); k++) {
        FileSet.DataFile f = scanned.get(k);
        if (RowGroupDigests.isIdentity(f.digest())) {
          scanned.set(k, new FileSet.DataFile(f.path(), f.rows(), CsvFile.sha256(f.path())));
        }
      }
    }
    FileSet set = new FileSet(scanned);
    Map<String, String> settings = new TreeMap<>(set.settings());
    settings.put("features", String.join(",", features));
    settings.put("target", target);
    if (manifest != null) {
      settings.put(CsvManifest.SETTING, manifest.build().encode());
    }
    if (!pieces.contains(null)) {
      settings.put(RowGroupDigests.SETTING, String.join("\n", pieces));
    }
    return new Scanned(new DatasetSpec.Source(name(), settings, features, target, set.rows(),
        set.digest()), max, notes);
  }

  @Override
  public String load(DatasetSpec dataset, List<Segment> segments) {
    DatasetSpec.Source src = dataset.source();
    FileSet set = FileSet.of(src);
    List<List<Part>> parts = new ArrayList<>();
    for (int k = 0; k < set.files().size(); k++) {
      parts.add(new ArrayList<>());
    }
    for (Segment seg : segments) {
      long from = dataset.chunkStart(seg.firstChunk());
      long to = from + seg.samples();
      set.parts(from, to, (k, a, b, at) -> parts.get(k).add(new Part(a, b, seg.x(), seg.y(),
          at)));
    }
    for (List<Part> mine : parts) {
      mine.sort((p, q) -> Long.compare(p.from(), q.from()));
    }
    String verified = loadByManifest(set, src, parts);
    if (verified != null) {
      return verified;
    }
    List<String> digests = new ArrayList<>();
    for (int k = 0; k < set.files().size(); k++) {
      FileSet.DataFile f = set.files().get(k);
      List<Part> mine = parts.get(k);
      String sha = loadFile(f.path(), src.columns(), src.target(), mine);
      if (!sha.equals(f.digest())) {
        throw new DataException(f.path() + ": this copy differs from the coordinator's "
            + "(SHA-256 " + abbreviate(sha) + " here, " + abbreviate(f.digest()) + " there)");
      }
      digests.add(sha);
    }
    return set.digestWith(digests);
  }

  /**
   * Reads the parts (per file, in row order) by the source's manifest, proving each piece read
   * by its digest there, which the run's numbers hold; null if the source has no manifest (data
   * recorded before manifests), for the whole-file path.
   *
   * @return the dataset's digest, proven piece by piece
   */
  String loadByManifest(FileSet set, DatasetSpec.Source src, List<List<Part>> parts) {
    return null;
  }

  @Override
  public String digestNow(DatasetSpec.Source source) {
    FileSet set = FileSet.of(source);
    List<String> digests = new ArrayList<>();
    for (FileSet.DataFile f : set.files()) {
      digests.add(digestFile(f.path(), source.columns(), source.target(), f.digest()));
    }
    return set.digestWith(digests);
  }

  /**
   * Whether {@code --features '*'} leaves {@code column} out: the index pandas writes by default
   * ({@code to_csv}: an unnamed first column; {@code to_parquet}: {@code __index_level_N__}) is
   * a row number, not a feature, and training on it silently was a new user's surprise.
   */
  static boolean isPandasIndex(String column) {
    return column.isEmpty() || column.matches("__index_level_\\d+__");
  }

  private static void check(List<String> features, String target) {
    try {
      CsvFile.checkSelection(features, target);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  /** The first 12 hex digits of a digest, for a message. */
  protected static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }

  /**
   * Where two schema texts first differ, field by field ({@code ; , { } [ ]} separate them):
   * {@code "; first difference: 'required int64 k' against 'required double k'"}, or "" if no
   * field differs. A Parquet schema of many columns is long; this names the column.
   */
  static String firstDifference(String a, String b) {
    String[] x = a.split("[;,{}\\[\\]]");
    String[] y = b.split("[;,{}\\[\\]]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      String u = i < x.length ? x[i].trim() : "";
      String v = i < y.length ? y[i].trim() : "";
      if (!u.equals(v)) {
        return "; first difference: " + (u.isEmpty() ? "nothing" : "'" + u + "'") + " against "
            + (v.isEmpty() ? "nothing" : "'" + v + "'");
      }
    }
    return "";
  }
}
