/**
 * {@code local-runner export}: a run's trained model as an ONNX file. {@link
 * dev.tapetrain.localrunner.export.OnnxExport} builds the graph of each built-in model from the
 * same formulas as {@code BuiltInModels}; {@link dev.tapetrain.localrunner.export.ExportCommand}
 * is the command line.
 */
package dev.tapetrain.localrunner.export;
