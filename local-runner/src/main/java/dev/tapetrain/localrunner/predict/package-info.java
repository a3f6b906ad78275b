/**
 * {@code local-runner predict}: scores CSV or Parquet files with a run's trained model, writing
 * CSV or Parquet. Reads data only through the data module's readers, or its column cache when
 * the data are the run's own ({@code CachedRows}); no actors.
 */
package dev.tapetrain.localrunner.predict;
