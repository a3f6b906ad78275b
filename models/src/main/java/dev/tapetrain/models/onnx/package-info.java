/**
 * Trained built-in models as ONNX graphs ({@link dev.tapetrain.models.onnx.OnnxExport}), each
 * operation for operation what the model's {@code predict} computes. The schema is the subset of
 * ONNX's {@code onnx.proto} the exporter writes ({@code src/main/proto/onnx_subset.proto}).
 */
package dev.tapetrain.models.onnx;
