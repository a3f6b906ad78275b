package dev.tapetrain.localrunner.predict;

import dev.tapetrain.coordinator.run.Checkpoints;
import dev.tapetrain.data.DataException;
import dev.tapetrain.data.FileSet;
import dev.tapetrain.data.cache.CacheFile;
import dev.tapetrain.data.cache.CacheSettings;
import dev.tapetrain.data.cache.ColumnCache;
import dev.tapetrain.data.cache.MappedColumns;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ProtoCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.DoubleFunction;

/**
 * predict's rows from the column cache instead of the files, when {@code --data} are the data
 * the run trained on: the same number of files, each with the SHA-256 the run recorded for the
 * file in its place (so predict hashes every file once, but parses none), the model's feature
 * and target columns, and a valid cache entry of those data ({@link ColumnCache}: the key is the
 * run's data's, which does not depend on where the files are). With {@code --cache auto} an
 * entry is used only if one exists; with {@code on} it is built first if missing (from the
 * files given, each read proven against the run's digests); {@code off} never looks. A file
 * that changed since the run, other files or other columns: no entry, the files are read.
 *
 * <p>Use: {@link #find}, then {@link #stream} the rows to the same receiver as the files'.
 */
final class CachedRows {

  /** Rows copied from the cache and scored at once. */
  private static final int BLOCK = PredictCommand.BLOCK_ROWS;
  /** Settings that only say where the data are or how the scan cut them (not their values). */
  private static final Set<String> PLACE_SETTINGS = Set.of("path", "paths", "file-rows",
      "file-digests", "manifest", "row-groups", "features", "target");

  private final MappedColumns columns;
  private final List<String> features;
  private final String target;

  private CachedRows(MappedColumns columns, List<String> features, String target) {
    this.columns = columns;
    this.features = features;
    this.target = target;
  }

  /**
   * The cache entry of {@code files} if they are {@code runDir}'s training data with these
   * columns and {@code settings} allow it, else null (the caller reads the files); what it
   * checked and found goes to {@code notes}.
   *
   * @throws DataException if an entry exists but cannot be read or (with {@code on}) built
   */
  static CachedRows find(Path runDir, CacheSettings settings, List<Path> files,
      List<String> features, String target, Consumer<String> notes) {
    if (settings.mode() == CacheSettings.Mode.OFF) {
      return null;
    }
    Checkpoints.Loaded checkpoint = Checkpoints.read(runDir.resolve(Checkpoints.FILE));
    if (checkpoint.numbers() == null) {
      return null; // a run from before the run's numbers were kept: no manifest to build from
    }
    DatasetSpec run = ProtoCodec.fromProto(checkpoint.numbers().getDataset()).training();
    DatasetSpec.Source src = run.source();
    boolean fileData = src.format().equals(DatasetSpec.CSV) || src.format().equals("parquet");
    if (!fileData || !src.columns().equals(features) || !src.target().equals(target)
        || !ColumnCache.cacheable(src) || !valuesOnlyFromColumns(src)) {
      return null;
    }
    FileSet trained = FileSet.of(src);
    if (trained.files().size() != files.size()) {
      return null;
    }
    // The run's data read from where they are now: a build reads these paths.
    List<FileSet.DataFile> here = new ArrayList<>();
    for (int k = 0; k < files.size(); k++) {
      FileSet.DataFile t = trained.files().get(k);
      here.add(new FileSet.DataFile(files.get(k).toAbsolutePath().normalize(), t.rows(),
          t.digest()));
    }
    Map<String, String> s = new TreeMap<>(src.settings());
    s.keySet().removeAll(Set.of("path", "paths", "file-rows", "file-digests"));
    s.putAll(new FileSet(here).settings());
    DatasetSpec local = new DatasetSpec(new DatasetSpec.Source(src.format(), s, src.columns(),
        src.target(), src.rows(), src.digest()), run.chunkSize());
    Path entry = CacheFile.path(settings.dir(), CacheFile.key(local.source()));
    if (settings.mode() == CacheSettings.Mode.AUTO && !Files.isRegularFile(entry)) {
      return null; // auto never builds for predict, and hashing the files would be in vain
    }
    long t0 = System.nanoTime();
    long bytes = 0;
    for (FileSet.DataFile f : here) {
      String[] sha = new String[1];
      bytes += digest(f.path(), f.digest(), sha);
      if (!sha[0].equals(f.digest())) {
        notes.accept(f.path() + " differs from the data run " + runDir + " trained on "
            + "(SHA-256 " + sha[0].substring(0, 12) + "…, " + f.digest().substring(0, 12)
            + "… then): reading the files, not the column cache");
        return null;
      }
    }
    double checkSeconds = (System.nanoTime() - t0) / 1e9;
    MappedColumns mapped = settings.mode() == CacheSettings.Mode.ON
        ? ColumnCache.open(settings, local, notes) : ColumnCache.existing(settings, local);
    if (mapped == null) {
      return null;
    }
    try {
      mapped.verify(0, mapped.rows());
    } catch (MappedColumns.CorruptCacheException e) {
      if (settings.mode() != CacheSettings.Mode.ON) {
        notes.accept(e.getMessage() + "; reading the files (--cache on would build it again)");
        return null;
      }
      mapped = ColumnCache.rebuild(mapped, local, e.getMessage(), notes);
      mapped.verify(0, mapped.rows());
    }
    if (!mapped.digest().equals(src.digest()) || mapped.rows() != src.rows()
        || mapped.columns() != features.size() + 1) {
      notes.accept(mapped.file() + " holds other data than the run's; reading the files");
      return null;
    }
    notes.accept(String.format(java.util.Locale.ROOT, "%d row(s) from the column cache %s "
        + "(the files' SHA-256 are the run's data's: %.1f MB hashed in %.1f s, not parsed)",
        mapped.rows(), mapped.file(), bytes / 1e6, checkSeconds));
    return new CachedRows(mapped, features, target);
  }

  /**
   * Whether the run's data settings are only the files and the columns: a setting that could
   * change how a cell becomes a value (none yet) would have to be read by predict as well.
   */
  private static boolean valuesOnlyFromColumns(DatasetSpec.Source src) {
    return PLACE_SETTINGS.containsAll(src.settings().keySet());
  }

  /**
   * {@code file}'s digest of the kind the run recorded ({@code recorded}: a Parquet file's
   * row-group identity, {@link dev.tapetrain.data.FileFormat#digestLike}, or the whole file's
   * SHA-256) into {@code hex[0]}; returns the bytes read.
   */
  private static long digest(Path file, String recorded, String[] hex) {
    hex[0] = dev.tapetrain.data.FileFormat.digestLike(file, recorded);
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Streams every row, in the files' order, to {@code rows}: first the columns (the features
   * and the target, so the evaluation runs), then each row's values bit for bit as the files'
   * reader gives them. No kept values: {@code --keep-columns} reads the files.
   *
   * @throws DataException if a target fails {@code targetCheck}, naming the row
   */
  void stream(DoubleFunction<String> targetCheck, PredictInput.Rows rows) {
    int f = features.size();
    List<String> names = new ArrayList<>(features);
    names.add(target);
    rows.columns(KeptColumns.ofCsv(names, Set.copyOf(names)));
    double[][] x = new double[f][BLOCK];
    double[] y = new double[BLOCK];
    double[] row = new double[f];
    long total = columns.rows();
    for (long from = 0; from < total; from += BLOCK) {
      int n = (int) Math.min(BLOCK, total - from);
      for (int c = 0; c < f; c++) {
        columns.copy(c, from, x[c], 0, n);
      }
      columns.copy(f, from, y, 0, n);
      for (int i = 0; i < n; i++) {
        String bad = targetCheck.apply(y[i]);
        if (bad != null) {
          throw new DataException(columns.file() + ": row " + (from + i + 1) + ": " + bad);
        }
        for (int c = 0; c < f; c++) {
          row[c] = x[c][i];
        }
        rows.row(null, row, y[i]);
      }
    }
  }
}
