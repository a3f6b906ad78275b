/**
 * {@code local-runner export}: a run's trained model as an ONNX file. {@link
 * dev.tapetrain.localrunner.export.ExportCommand} is the command line; the graphs are the models
 * module's ({@link dev.tapetrain.models.onnx.OnnxExport}).
 */
package dev.tapetrain.localrunner.export;
