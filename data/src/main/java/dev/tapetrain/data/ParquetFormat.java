package dev.tapetrain.data;

import dev.tapetrain.data.parquet.ParquetColumns;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.spi.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleFunction;

/**
 * {@code parquet}: Parquet files ({@link ParquetColumns}), columns by name, every numeric type
 * widened to float64 where that is exact. The coordinator reads every selected value once; each
 * worker reads only the row groups that hold its chunks, and proves by each file's SHA-256 that
 * it has the coordinator's copy.
 */
public final class ParquetFormat extends FileFormat {

  /** The name of this format. */
  public static final String NAME = "parquet";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Parquet files (--data FILE.parquet, a directory or a glob)";
  }

  @Override
  protected String extension() {
    return ".parquet";
  }

  /**
   * As every file format's, except that with {@code --features '*'} the columns the first
   * file's pandas metadata names as the DataFrame's index are left out too, with the note for
   * an unnamed one ({@code pd.read_parquet} gives a named index back as the index: training on
   * it silently was a new user's surprise). The scan is then asked for the other columns by
   * name, which is what it records for '*' anyway.
   */
  @Override
  public Scanned scan(Request request) {
    Settings s = request.settings();
    if (request.files().isEmpty() || !s.text(FEATURES.name()).trim().equals("*")
        || !java.nio.file.Files.isRegularFile(request.files().get(0))) {
      return super.scan(request);
    }
    Path first = request.files().get(0);
    String target = s.text(TARGET.name()).trim();
    List<String> columns;
    List<String> named;
    try (ParquetColumns p = ParquetColumns.open(first)) {
      columns = p.columns();
      named = p.pandasIndexColumns();
    }
    List<String> index = columns.stream().filter(c -> !c.equals(target)
        && (isPandasIndex(c) || named.contains(c))).toList();
    if (!columns.contains(target) || index.stream().allMatch(FileFormat::isPandasIndex)) {
      return super.scan(request); // nothing only the metadata tells
    }
    List<String> features = columns.stream().filter(c -> !c.equals(target)
        && !index.contains(c)).toList();
    if (features.isEmpty()) {
      throw new DataException(first + ": no column besides the target '" + target
          + "' and the pandas index " + String.join(", ", index.stream()
              .map(c -> "'" + c + "'").toList()));
    }
    Map<String, String> given = new TreeMap<>(s.texts());
    given.put(FEATURES.name(), String.join(",", features.stream()
        .map(ParquetFormat::quoted).toList()));
    Scanned scanned = super.scan(new Request(request.data(), Settings.of(s.declared(), given,
        n -> "--" + n), request.seed(), request.classes(), request.targetCheck(),
        request.files()));
    List<String> notes = new ArrayList<>();
    notes.add("--features '*': left out " + first.getFileName() + "'s pandas index column"
        + (index.size() > 1 ? "s " : " ") + String.join(", ", index.stream()
            .map(c -> c.isEmpty() ? "'' (unnamed)" : "'" + c + "'").toList())
        + " (to train on one, name it in --features)");
    notes.addAll(scanned.notes());
    return new Scanned(scanned.source(), scanned.maxTarget(), notes);
  }

  /** {@code name} as --features reads it: quoted as a CSV field if it must be. */
  private static String quoted(String name) {
    return name.contains(",") || name.contains("\"") || !name.equals(name.trim())
        ? "\"" + name.replace("\"", "\"\"") + "\"" : name;
  }

  @Override
  protected List<String> columns(Path file) {
    try (ParquetColumns p = ParquetColumns.open(file)) {
      return p.columns();
    }
  }

  @Override
  protected boolean hasNoRows(Path file) {
    try (ParquetColumns p = ParquetColumns.open(file)) {
      return p.rows() == 0;
    }
  }

  /**
   * The file's columns with their types, in the order of their names: the files of one dataset
   * must have the same names and types, in any order (as pyarrow's datasets match columns by
   * name; each read asks for its columns by name).
   */
  @Override
  protected String schema(Path file) {
    try (ParquetColumns p = ParquetColumns.open(file)) {
      return "schema " + p.schemaTextByName().replaceAll("\\s+", " ").trim();
    }
  }

  @Override
  protected FileScan scanFile(Path file, List<String> features, String target,
      DoubleFunction<String> targetCheck, CsvManifest.Builder manifest) {
    List<String> columns = withTarget(features, target);
    List<long[]> ranges = new ArrayList<>();
    List<ParquetColumns.RowGroup> groups;
    long rows;
    try (ParquetColumns p = ParquetColumns.open(file)) {
      rows = p.rows();
      p.checkColumns(columns);
      if (p.rows() == 0) {
        throw new DataException(file + ": no rows");
      }
      groups = p.rowGroups();
      for (ParquetColumns.RowGroup g : groups) {
        if (g.rows() == 0) {
          throw new DataException(file + ": row group " + g.index() + " is empty");
        }
        ranges.add(p.byteRange(g.index()));
      }
    }
    // The digests on one thread, the columns spread over the others: each column is read and
    // checked on its own (a reader per thread), the target last where its labels are checked.
    CompletableFuture<RowGroupDigests.Scanned> hashed =
        CompletableFuture.supplyAsync(() -> RowGroupDigests.scan(file, ranges), POOL);
    // The decoded values, for workers of this JVM, if a scan may keep them (ScanHandoff): each
    // whole-file column is made by the thread that decodes it, so that the zeroing and the first
    // touch of its pages (a fresh JVM's heap: ~0.3 s of CPU for the 88 MB of a 1M-row file of
    // 11 columns on this machine) run on as many threads as the decoding, not before it on one.
    boolean keep = rows < Integer.MAX_VALUE - 8
        && 8 * rows * columns.size() <= ScanHandoff.room();
    double[][] kept = keep ? new double[columns.size()][] : null;
    int threads = Math.max(1, Math.min(columns.size(), Runtime.getRuntime()
        .availableProcessors()));
    List<CompletableFuture<Double>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Integer> mine = new ArrayList<>();
      for (int c = t; c < columns.size(); c += threads) {
        mine.add(c);
      }
      boolean withTarget = mine.contains(columns.size() - 1);
      parts.add(CompletableFuture.supplyAsync(() -> {
        double[][] into = null;
        if (kept != null) {
          into = new double[mine.size()][];
          for (int i = 0; i < into.length; i++) {
            into[i] = new double[(int) rows];
            kept[mine.get(i)] = into[i];
          }
        }
        return checkColumns(file, groups, mine.stream().map(columns::get).toList(),
            withTarget ? targetCheck : null, target, into);
      }, POOL));
    }
    double max = Double.NEGATIVE_INFINITY;
    try {
      for (CompletableFuture<Double> part : parts) {
        max = Math.max(max, part.join());
      }
      RowGroupDigests.Scanned digests = hashed.join();
      if (kept != null) {
        // join() orders each thread's writes of kept (and of its arrays) before these reads.
        ScanHandoff.keep(file, digests.sha256(), features, target, ScannedColumns.ofBlocks(
            List.<double[][]>of(java.util.Arrays.copyOf(kept, features.size())),
            List.of(kept[features.size()]), new int[] {(int) rows}));
      }
      return new FileScan(rows, digests.sha256(), max, digests.line());
    } catch (java.util.concurrent.CompletionException e) {
      // Which thread met a problem first is chance: the file is checked again on this thread,
      // every column of a row group before the next group, so the first problem is named.
      for (CompletableFuture<?> part : parts) {
        part.exceptionally(t -> null).join();
      }
      checkColumns(file, groups, columns, targetCheck, target, null);
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Threads for scanning (daemons: a scan that failed does not hold the JVM). */
  private static final java.util.concurrent.ExecutorService POOL =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "parquet-scan");
        t.setDaemon(true);
        return t;
      });

  /**
   * Reads every row group's {@code columns} of {@code file}, so each value is checked; with a
   * {@code targetCheck}, checks each value of {@code target} (one of them) and returns the
   * largest, else negative infinity. With {@code into} (one whole-file array per column), the
   * values stay there at their rows, for {@link ScanHandoff}.
   */
  private static double checkColumns(Path file, List<ParquetColumns.RowGroup> groups,
      List<String> columns, DoubleFunction<String> targetCheck, String target,
      double[][] into) {
    double max = Double.NEGATIVE_INFINITY;
    int y = columns.indexOf(target);
    try (ParquetColumns p = ParquetColumns.open(file)) {
      for (ParquetColumns.RowGroup g : groups) {
        int n = Math.toIntExact(g.rows());
        double[][] out = into != null ? into : new double[columns.size()][n];
        int at = into != null ? Math.toIntExact(g.firstRow()) : 0;
        p.read(columns, g.firstRow(), g.firstRow() + n, out, at);
        if (targetCheck == null) {
          continue;
        }
        for (int i = 0; i < n; i++) {
          String problem = targetCheck.apply(out[y][at + i]);
          if (problem != null) {
            throw new DataException(file + ": row " + (g.firstRow() + i) + " (row group "
                + g.index() + ", row " + i + " in it): column '" + target + "': " + problem);
          }
          max = Math.max(max, out[y][at + i]);
        }
      }
    }
    return max;
  }

  @Override
  protected String digestFile(Path file, List<String> features, String target) {
    try (ParquetColumns p = ParquetColumns.open(file)) {
      p.checkColumns(withTarget(features, target));
    }
    return CsvFile.sha256(file);
  }

  /**
   * As a scan would record it now: the identity made from the file's row-group line if
   * {@code recorded} is one (runs since 2026-12-07), else the whole file's SHA-256 (before).
   */
  @Override
  protected String digestFile(Path file, List<String> features, String target,
      String recorded) {
    if (!RowGroupDigests.isIdentity(recorded)) {
      return digestFile(file, features, target);
    }
    try (ParquetColumns p = ParquetColumns.open(file)) {
      p.checkColumns(withTarget(features, target));
    }
    return identityNow(file);
  }

  /** The file's identity as a scan records it now (a line's, or its whole SHA-256). */
  static String identityNow(Path file) {
    List<long[]> ranges = new ArrayList<>();
    try (ParquetColumns p = ParquetColumns.open(file)) {
      for (ParquetColumns.RowGroup g : p.rowGroups()) {
        ranges.add(p.byteRange(g.index()));
      }
    }
    return RowGroupDigests.scan(file, ranges).sha256();
  }

  @Override
  protected String loadFile(Path file, List<String> features, String target, List<Part> parts) {
    return loadFile(file, features, target, parts, true);
  }

  private String loadFile(Path file, List<String> features, String target, List<Part> parts,
      boolean hash) {
    if (!parts.isEmpty()) {
      List<String> columns = withTarget(features, target);
      try (ParquetColumns p = ParquetColumns.open(file)) {
        List<ParquetColumns.Slice> slices = new ArrayList<>();
        for (Part part : parts) {
          if (part.to() > p.rows()) {
            throw new DataException(file + ": this copy has " + p.rows() + " rows, the "
                + "coordinator's more");
          }
          double[][] out = new double[columns.size()][];
          System.arraycopy(part.x(), 0, out, 0, features.size());
          out[features.size()] = part.y();
          slices.add(new ParquetColumns.Slice(part.from(), part.to(), out, part.at()));
        }
        p.read(columns, slices);
      }
    }
    return hash ? CsvFile.sha256(file) : null;
  }

  /**
   * Reads the parts of each file with wanted rows, having checked the bytes outside the row
   * groups (the footer it reads them by) and the row groups that hold them against their
   * digests; a file none of whose rows are wanted is not read at all.
   */
  @Override
  String loadByManifest(FileSet set, DatasetSpec.Source src, List<List<Part>> parts) {
    String text = src.setting(RowGroupDigests.SETTING);
    if (text == null) {
      return null;
    }
    String[] lines = text.split("\n", -1);
    if (lines.length != set.files().size()) {
      throw new DataException("the data's manifest is damaged (" + lines.length + " files, "
          + set.files().size() + " expected)");
    }
    for (int k = 0; k < lines.length; k++) {
      String recorded = set.files().get(k).digest();
      if (RowGroupDigests.isIdentity(recorded)
          && !RowGroupDigests.identity(lines[k]).equals(recorded)) {
        // The run's identity of the file is its line's: a line that is not is not the run's.
        throw new DataException("the data's manifest is damaged (" + set.files().get(k).path()
            + ": its row groups' line is not the file's recorded identity)");
      }
      List<Part> mine = parts.get(k);
      // Values a scan of this JVM kept are the very ones this read would decode from the row
      // groups whose digests the run holds: copied, the digest is the scan's own (the same
      // bytes), with no file read to check it by. Any other file is read and checked.
      if (mine.isEmpty() || ScanHandoff.take(set.files().get(k), src.columns(), src.target(),
          mine)) {
        continue;
      }
      Path file = set.files().get(k).path();
      Set<Integer> groups = new TreeSet<>();
      try (ParquetColumns p = ParquetColumns.open(file)) {
        for (ParquetColumns.RowGroup g : p.rowGroups()) {
          for (Part part : mine) {
            if (part.from() < g.firstRow() + g.rows() && g.firstRow() < part.to()) {
              groups.add(g.index());
            }
          }
        }
      }
      RowGroupDigests.verify(file, lines[k], groups);
      loadFile(file, src.columns(), src.target(), mine, false);
    }
    return set.digest();
  }

  private static List<String> withTarget(List<String> features, String target) {
    List<String> columns = new ArrayList<>(features);
    columns.add(target);
    return columns;
  }
}
