package dev.tapetrain.localrunner.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.AtomicFiles;
import dev.tapetrain.coordinator.run.Json;
import dev.tapetrain.coordinator.run.RunDirectory;
import dev.tapetrain.coordinator.run.RunFiles;
import dev.tapetrain.coordinator.run.StepReader;
import dev.tapetrain.localrunner.OutputFile;
import dev.tapetrain.spi.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code local-runner inspect RUN_DIR [RUN_B]}: summary, step table and worker table of a run
 * (also one still running), the epoch table of a run of epochs (epochs.jsonl), a loss plot,
 * live follow, or the first difference of two runs.
 * Every form reads steps.jsonl one line at a time, once (the step table of a long
 * {@code --every} a second time), so its memory does not depend on the run's length.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    version = "tapetrain inspect 0.1.0",
    description = {"Summarise a run directory, or compare two.",
        "With two runs prints 'identical' (exit 0) or 'first difference at step N' (exit 1)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done (runs identical)", "1:runs differ", "2:not a run directory, bad option"})
public final class InspectCommand implements Callable<Integer> {

  // 1..*, not 1..2: picocli would drop a third directory silently; call() refuses it in a line.
  @Parameters(arity = "1..*", paramLabel = "RUN_DIR",
      description = "A run directory; a second one to compare with the first (at most two; "
          + "a comparison takes none of --every, --plot, --follow, --format json).")
  List<Path> runs;

  @Option(names = "--every", paramLabel = "K",
      description = "Rows of the step table: every K-th logged step (lines 0, K, 2K, ... of "
          + "steps.jsonl) and the last, each with the mean and max step time since the row "
          + "above (default: the smallest of 1, 2, 5 x 10^k giving at most 20 rows).")
  Integer every;

  @Option(names = "--plot", paramLabel = "FILE.png", converter = OutputFile.class,
      description = "Draw the loss (log axis; a run of epochs adds each epoch's loss and "
          + "val_loss at its last step), the W, B trajectories of a linear model and each "
          + "model metric (e.g. accuracy) to a PNG; a long run is downsampled (the lowest and "
          + "highest point of each of at most 1000 buckets per curve). PNG only: the name "
          + "must end in .png.")
  Path plot;

  @Option(names = "--follow",
      description = "Follow a run in progress, printing steps as they arrive, until it ends "
          + "(or no process holds it any more: interrupted).")
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
    if (runs.size() > 2) {
      throw new UserError("at most two run directories (got " + runs.size() + ")");
    }
    if (runs.size() == 2) {
      // The comparison is lines of text about both runs: what only one run's report has is
      // refused rather than dropped.
      String single = follow ? "--follow" : plot != null ? "--plot"
          : format.equals("json") ? "--format json" : every != null ? "--every" : null;
      if (single != null) {
        throw new UserError(single + " takes one run directory (got 2: comparing them has "
            + "only the text form)");
      }
    }
    if (plot != null) {
      // Checked before anything is read or printed, as predict --out and export --onnx are.
      AtomicFiles.checkTarget("--plot", plot, null);
      if (!plot.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
        throw new UserError("--plot " + plot + ": the plot is a PNG; name a .png file");
      }
    }
    if (runs.size() == 2) {
      List<String> report = RunDiff.compare(RunFiles.read(runs.get(0)),
          RunFiles.read(runs.get(1)), w -> err.println("inspect: warning: " + w));
      report.forEach(out::println);
      return RunDiff.identical(report) ? 0 : 1;
    }
    RunFiles run = RunFiles.read(runs.get(0));
    RunReport report = new RunReport(run);
    StepTable table = new StepTable(run, every);
    LossPlot.Series series = plot != null ? new LossPlot.Series(run) : null;
    if (follow) {
      follow(run, report, table, series);
    } else {
      try (StepReader reader = run.steps()) {
        for (JsonNode line = reader.next(); line != null; line = reader.next()) {
          report.accept(line);
          if (format.equals("text")) {
            table.accept(line);
          }
          if (series != null) {
            series.accept(line);
          }
        }
        reader.warnings().forEach(w -> err.println("inspect: warning: " + w));
      }
    }
    EpochTable epochs = new EpochTable(run);
    boolean ofEpochs = epochs.present();
    if (ofEpochs) {
      epochs.read(series != null ? series::acceptEpoch : line -> { },
          w -> err.println("inspect: warning: " + w));
    }
    if (format.equals("json")) {
      com.fasterxml.jackson.databind.node.ObjectNode summary = report.summary();
      if (ofEpochs) {
        epochs.summarize(summary);
      }
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
    } else {
      report.printSummary(out);
      if (ofEpochs) {
        epochs.printSummary(out);
      }
      if (!follow) {
        out.println();
        table.print(out, run);
      }
      if (ofEpochs && !follow) {
        out.println();
        epochs.print(out);
      }
      out.println();
      report.printWorkers(out);
    }
    if (plot != null && series.isEmpty()) {
      // An empty chart would look like a broken plot: say why there is none.
      err.println("inspect: nothing to plot yet: " + run.dir() + " has no logged step; "
          + plot + " not written");
    } else if (plot != null) {
      LossPlot.write(run, series, plot);
      err.println("plot written to " + plot);
    }
    return 0;
  }

  /**
   * Prints each newly logged step until the run ends: its summary says so, or no process holds
   * it any more (killed). Reads only the bytes appended since the last look; a line still being
   * written waits for its newline.
   */
  private void follow(RunFiles run, RunReport report, StepTable table, LossPlot.Series series)
      throws InterruptedException {
    Path file = run.dir().resolve(RunDirectory.STEPS);
    long position = 0;
    boolean header = false;
    while (true) {
      RunFiles now = run.refresh();
      boolean ended = now.finished();
      if (StepReader.size(file) < position) {
        // Rewritten (a resume cuts the log back to its checkpoint): the steps after the cut
        // are logged again.
        err.println("inspect: warning: " + file + " was rewritten; following it from the start");
        position = 0;
      }
      try (StepReader reader = StepReader.from(file, position, !ended)) {
        for (JsonNode line = reader.next(); line != null; line = reader.next()) {
          if (!header) {
            out.println(table.header(true));
            header = true;
          }
          out.println(table.followRow(line));
          report.accept(line);
          if (series != null) {
            series.accept(line);
          }
        }
        position = reader.position();
        out.flush();
        if (ended) {
          reader.warnings().forEach(w -> err.println("inspect: warning: " + w));
          report.update(now);
          out.println();
          return;
        }
      }
      Thread.sleep(200);
    }
  }
}
