package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunLog;
import dev.tapetrain.spi.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code local-runner inspect RUN_DIR [RUN_B]}: summary, step table and worker table of a run
 * (also one still running), a loss plot, live follow, or the first difference of two runs.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Summarise a run directory, or compare two.",
        "With two runs prints 'identical' (exit 0) or 'first difference at step N' (exit 1)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done (runs identical)", "1:runs differ", "2:not a run directory, bad option"})
public final class InspectCommand implements Callable<Integer> {

  @Parameters(arity = "1..2", paramLabel = "RUN_DIR",
      description = "A run directory; a second one to compare with the first.")
  List<Path> runs;

  @Option(names = "--every", paramLabel = "K",
      description = "Show every K-th logged step (default: about 20 rows).")
  Integer every;

  @Option(names = "--plot", paramLabel = "FILE.png",
      description = "Draw the loss (log axis), the W, B trajectories of a linear model and each "
          + "model metric (e.g. accuracy) to a PNG.")
  Path plot;

  @Option(names = "--follow",
      description = "Follow a run in progress, printing steps as they arrive, until it ends.")
  boolean follow;

  @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
      description = "Summary as text tables or as JSON (default: ${DEFAULT-VALUE}).")
  String format;

  private final PrintStream out;
  private final PrintStream err;

  /** An inspect command printing to {@code out} and {@code err}. */
  public InspectCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!format.equals("text") && !format.equals("json")) {
      throw new UserError("--format must be text or json, got '" + format + "'");
    }
    if (every != null && every < 1) {
      throw new UserError("--every must be at least 1, got " + every);
    }
    if (runs.size() == 2) {
      List<String> report = RunDiff.compare(read(runs.get(0)), read(runs.get(1)));
      report.forEach(out::println);
      return RunDiff.identical(report) ? 0 : 1;
    }
    RunLog run = follow ? follow(runs.get(0)) : read(runs.get(0));
    RunReport report = new RunReport(run);
    if (format.equals("json")) {
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.summary()));
    } else {
      report.printSummary(out);
      if (!follow) {
        out.println();
        report.printSteps(out, every != null ? every : Math.max(1, (run.steps().size() + 19) / 20));
      }
      out.println();
      report.printWorkers(out);
    }
    if (plot != null) {
      LossPlot.write(run, plot);
      err.println("plot written to " + plot);
    }
    return 0;
  }

  private RunLog read(Path dir) {
    RunLog run = RunLog.read(dir);
    run.warnings().forEach(w -> err.println("inspect: warning: " + w));
    return run;
  }

  /** Prints each newly logged step until the run's summary says it ended. */
  private RunLog follow(Path dir) throws InterruptedException {
    long printed = 0;
    boolean header = false;
    while (true) {
      RunLog run = RunLog.read(dir);
      List<JsonNode> steps = run.steps();
      for (long i = printed; i < steps.size(); i++) {
        if (!header) {
          out.printf("%8s  %-22s  %-22s  %-22s  %-12s  %9s%n", "step", "loss", "W", "B",
              "|grad|", "step ms");
          header = true;
        }
        out.println(RunReport.stepLine(steps.get((int) i)));
      }
      printed = steps.size();
      out.flush();
      if (run.finished()) {
        run.warnings().forEach(w -> err.println("inspect: warning: " + w));
        out.println();
        return run;
      }
      Thread.sleep(200);
    }
  }
}
