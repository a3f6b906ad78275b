/**
 * Trained models, built-in or a user's own, as ONNX graphs
 * ({@link dev.tapetrain.models.onnx.OnnxExport}): the program the model's {@code predict} runs on
 * the tape, traced ({@code PredictionTrace}, with the tape's {@code TracedProgram}) and
 * translated op by op into ONNX operators ({@code OnnxOps}, written with {@code OnnxGraph}). No
 * model's parameter names are known here. The schema is the subset of ONNX's {@code onnx.proto}
 * the exporter writes ({@code src/main/proto/onnx_subset.proto}).
 */
package dev.tapetrain.models.onnx;
