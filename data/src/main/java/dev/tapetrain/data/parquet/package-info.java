/**
 * Reading numeric columns of Parquet files as float64 with parquet-java and no Hadoop runtime:
 * {@link dev.tapetrain.data.parquet.ParquetColumns} over a local file, pages decompressed in pure
 * Java ({@link dev.tapetrain.data.parquet.PureJavaCodecs}), every value widened only where that
 * is exact; and, for {@code predict}, records of every column in its own type
 * ({@link dev.tapetrain.data.parquet.ParquetRecords}) and a writer of Parquet files
 * ({@link dev.tapetrain.data.parquet.ParquetOutput}). Used by the {@code parquet} input format; depends on nothing of tapetrain but the
 * data module's {@code DataException}, no actors.
 */
package dev.tapetrain.data.parquet;
