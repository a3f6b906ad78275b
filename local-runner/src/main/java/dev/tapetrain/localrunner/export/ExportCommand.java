package dev.tapetrain.localrunner.export;

import dev.tapetrain.coordinator.run.AtomicFiles;
import dev.tapetrain.localrunner.OutputFile;
import dev.tapetrain.localrunner.predict.ScoredParams;
import dev.tapetrain.localrunner.trained.TrainedModel;
import dev.tapetrain.models.onnx.OnnxExport;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.spi.UserError;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code local-runner export RUN_DIR --onnx model.onnx}: a run's trained model as ONNX. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tapetrain export 0.1.0",
    description = {"Write the model a run trained (its last checkpoint) as an ONNX model.",
        "Input 'x' [N, features] in the training data's column order; output 'y' [N] for a "
            + "regression, 'probabilities' [N, K] and 'label' [N] (int64) for a classifier. "
            + "Any model, built-in or your own: its prediction as the tape traces it, op by "
            + "op; an op with no ONNX counterpart is refused by name."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:written", "1:failed", "2:bad option, run directory, or a model whose "
        + "prediction cannot be written as ONNX"})
public final class ExportCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run whose model to export.")
  Path run;

  @Option(names = "--onnx", required = true, paramLabel = "FILE.onnx",
      converter = OutputFile.class,
      description = "Where to write the ONNX model (replaced atomically).")
  Path onnx;

  @Option(names = "--dtype", defaultValue = "float64", paramLabel = "float64|float32",
      description = "Element type of the input, the parameters and the outputs (default: "
          + "${DEFAULT-VALUE}, the trained values exactly; float32 rounds them once).")
  String dtype;

  @Option(names = "--params", paramLabel = "best|last",
      description = "Which parameters: best (the best epoch's, kept by --restore-best) or last "
          + "(after the last update); default: the run's final ones (the best after "
          + "--restore-best, else the last).")
  String params;

  private final PrintStream out;
  private final PrintStream err;

  /** An export command printing to {@code out} and {@code err}. */
  public ExportCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (!dtype.equals("float64") && !dtype.equals("float32")) {
      throw new UserError("--dtype must be float64 or float32, got '" + dtype + "'");
    }
    AtomicFiles.checkTarget("--onnx", onnx, null);
    if (!onnx.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
      throw new UserError("--onnx " + onnx + ": the model is written as ONNX; name a .onnx file");
    }
    TrainedModel trained = TrainedModel.load(run, params);
    if (trained.unfinished() != null) {
      err.println("export: note: " + trained.unfinished());
    }
    // The best epoch's parameters are from that epoch's last step, not the checkpoint's (it
    // printed and recorded the last step, 165 for 110).
    ScoredParams scored = ScoredParams.of(trained, params);
    long step = scored.step() >= 0 ? scored.step() : trained.step();
    byte[] bytes = OnnxExport.export(new OnnxExport.Trained(trained.name(), trained.model(),
        trained.params().stream().map(NamedTensor::values).toList(), trained.featureColumns(),
        trained.targetColumn(), step, "run " + trained.runDir()),
        dtype.equals("float32")).toByteArray();
    try {
      AtomicFiles.write(onnx, bytes);
    } catch (UncheckedIOException e) {
      throw new UserError("--onnx " + e.getMessage());
    }
    out.println("exported " + trained.name() + " of " + run + " (" + scored.describe() + ", "
        + dtype + ", inputs " + String.join(",", trained.featureColumns()) + ") to " + onnx
        + " (" + bytes.length + " bytes, ONNX opset " + OnnxExport.OPSET + ")");
    return 0;
  }
}
