/**
 * The training data. Each kind of data is an input-format plug-in ({@link
 * dev.tapetrain.data.InputFormat}, found by {@link dev.tapetrain.data.InputFormats}): it scans
 * the data once on the coordinator's side and reads a worker's chunks on the worker's. Built in:
 * the tutorial's synthetic samples ({@link dev.tapetrain.data.SyntheticFormat} over {@link
 * dev.tapetrain.data.SampleGenerator}) and CSV files ({@link dev.tapetrain.data.CsvFormat} over {@link
 * dev.tapetrain.data.CsvFile}: the coordinator scans a file once, each worker reads only the
 * rows of its chunks and proves it read the same bytes by the file's SHA-256; both sides use this
 * one parser so they can never disagree on a value), and loading a worker's chunks into
 * column-major {@link dev.tapetrain.data.Segment}s ({@link dev.tapetrain.data.ShardLoader}).
 *
 * <p>Depends on the {@code protocol} module (the dataset's description) and {@code spi}; no
 * actors.
 */
package dev.tapetrain.data;
