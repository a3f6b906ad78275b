/**
 * Reading and validating CSV training data. The coordinator validates a file once
 * ({@link dev.tapetrain.node.data.CsvFile#scan}); each worker reads only the rows of its
 * chunks ({@link dev.tapetrain.node.data.CsvFile#read}) and proves it read the same bytes by
 * the file's SHA-256. Both sides use this one parser so they can never disagree on a value.
 *
 * <p>Plain Java only: no Akka, no protobuf.
 */
package dev.tapetrain.node.data;
