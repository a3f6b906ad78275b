package org.apache.parquet;

import java.util.HashMap;
import org.apache.parquet.bytes.ByteBufferAllocator;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

/**
 * {@link ParquetReadOptions} made without touching Hadoop.
 *
 * <p>{@code ParquetReadOptions.builder(...)} always (a) makes parquet's Hadoop-backed
 * {@code CodecFactory} (verifying it loads {@code org.apache.hadoop.io.compress.*}) and (b) calls
 * {@code ParquetInputFormat.getFilter}, which loads {@code ParquetInputFormat} and so its
 * superclass {@code org.apache.hadoop.mapreduce.lib.input.FileInputFormat}. Without Hadoop jars
 * that is a {@code NoClassDefFoundError}. This class sits in parquet's package to call the
 * package-private constructor the builder itself ends in, with the builder's defaults. The
 * constructor's parameter list is pinned to parquet-java 1.18.x: an upgrade that changes it fails
 * at compile time, here.
 */
public final class PlainReadOptions {

  private PlainReadOptions() {}

  /** The builder's defaults, no record filter, heap buffers, the given codecs. */
  public static ParquetReadOptions create(CompressionCodecFactory codecs) {
    return create(codecs, new HeapByteBufferAllocator());
  }

  /** The builder's defaults, no record filter, the given codecs and column-chunk buffers. */
  public static ParquetReadOptions create(CompressionCodecFactory codecs,
      ByteBufferAllocator allocator) {
    return new ParquetReadOptions(
        false, // useSignedStringMinMax
        true, // useStatsFilter
        true, // useDictionaryFilter
        true, // useRecordFilter
        true, // useColumnIndexFilter
        false, // usePageChecksumVerification
        true, // useBloomFilter
        false, // useOffHeapDecryptBuffer
        false, // useHadoopVectoredIo
        FilterCompat.NOOP,
        ParquetMetadataConverter.NO_FILTER,
        codecs,
        allocator,
        8 << 20, // maxAllocationSize, the builder's default
        new HashMap<>(),
        null, // fileDecryptionProperties
        null, // metricsCallback
        new PlainParquetConfiguration());
  }
}
