/**
 * The column cache: a dataset's samples as a memory-mapped, column-major float64 file, so a
 * worker can train on more samples than its heap holds, and {@code predict} can score a run's
 * training data without parsing them again. {@link dev.tapetrain.data.cache
 * .CacheSettings} says whether and where ({@code --cache}, {@code --cache-dir},
 * {@code --cache-max-size}); {@link dev.tapetrain.data.cache.ColumnCache} finds, builds (once,
 * under a lock, atomically), shares and evicts the files; {@link dev.tapetrain.data.cache
 * .CacheFile} is their format, {@link dev.tapetrain.data.cache.CacheBuilder} writes one from the
 * dataset's input format, {@link dev.tapetrain.data.cache.MappedColumns} reads one.
 *
 * <p>Depends on the data package (input formats, the dataset's description); no actors, no
 * numeric code beyond copying values bit for bit.
 */
package dev.tapetrain.data.cache;
