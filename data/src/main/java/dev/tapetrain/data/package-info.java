/**
 * The training data. Each kind of data is an input-format plug-in ({@link
 * dev.tapetrain.data.InputFormat}, found by {@link dev.tapetrain.data.InputFormats}): it scans
 * the data once on the coordinator's side and reads a worker's chunks on the worker's. Built in:
 * the tutorial's synthetic samples ({@link dev.tapetrain.data.SyntheticFormat} over {@link
 * dev.tapetrain.data.SampleGenerator}), CSV files ({@link dev.tapetrain.data.CsvFormat} over {@link
 * dev.tapetrain.data.CsvFile}) and Parquet files ({@link dev.tapetrain.data.ParquetFormat} over
 * the {@code parquet} package). Both file formats take one or many files as one dataset ({@link
 * dev.tapetrain.data.DataPaths} finds them, {@link dev.tapetrain.data.FileSet} orders and
 * identifies them, {@link dev.tapetrain.data.FileFormat} is what they share): the coordinator
 * scans every file once and writes a manifest (CSV: {@code CsvManifest}, built by
 * {@code CsvScan}, read by {@code CsvPieceReader} over {@code CsvBytes}, pieces hashed by
 * {@code PieceTree}; Parquet: {@code RowGroupDigests}), and each worker reads only the pieces or
 * row groups of its chunks and proves by their digests that it read the same bytes (data
 * recorded before manifests: by each whole file's SHA-256); both sides use one parser so they
 * can never disagree on a value. In one JVM (local-runner) the scan's values are handed to the
 * workers instead ({@link dev.tapetrain.data.ScanHandoff}). Loading a worker's chunks into column-major {@link dev.tapetrain.data.Segment}s: {@link
 * dev.tapetrain.data.ShardLoader}; for shares larger than the heap, the memory-mapped column cache
 * of the {@code cache} package.
 *
 * <p>Depends on the {@code protocol} module (the dataset's description), {@code spi},
 * parquet-java (no Hadoop at run time) and fastdoubleparser; no actors.
 */
package dev.tapetrain.data;
