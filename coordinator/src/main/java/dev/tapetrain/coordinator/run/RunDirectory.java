package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.RunStore;
import dev.tapetrain.coordinator.RunSummary;
import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.coordinator.TrainingEvent;
import dev.tapetrain.coordinator.TrainingState;
import dev.tapetrain.models.Models;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.coordinator.spec.RunSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Writes one run's directory:
 * <ul>
 *   <li>{@code config.json}: every option, the dataset, the workers, versions;
 *   <li>{@code steps.jsonl} ({@link StepLines}): one JSON object per logged step, flushed at
 *       least every 0.1 s ({@link FlushCadence}), before each checkpoint and at the end, so a
 *       reader can follow a run in progress;
 *   <li>{@code summary.json}: {@code status: running} from the start (with when this process
 *       started it, and the initial loss once known, so {@code inspect} shows them while it
 *       runs), replaced atomically by the final summary;
 *   <li>{@code events.out.tfevents.*}: the logged steps' scalars for TensorBoard ({@link
 *       EventFile}), flushed with steps.jsonl.
 * </ul>
 * The logs (steps.jsonl, epochs.jsonl, the TensorBoard events) are appended by {@link StepLogs};
 * a new run's directory is made by {@link NewDirectory}.
 * A run never writes into an existing directory, so an older run cannot be overwritten, and a
 * run directory has one writer at a time ({@link RunLock}, held until {@link #close}).
 *
 * <p>Every steps.jsonl line names the step of the line before it ({@code prev}, -1 for the
 * first), so a reader can tell a complete log from one that lost lines ({@link RunLog#gaps()}).
 * A resume that finds fewer lines than its checkpoint says were logged continues, records the
 * gap in config.json and summary.json ({@code log_gaps}) and says so on stderr.
 * As the {@link RunStore}, a write that fails is a {@link RunStore.Failed} naming file and cause.
 */
public final class RunDirectory implements RunStore, AutoCloseable {

  /** File names inside a run directory. */
  public static final String CONFIG = "config.json";
  /** Step log. */
  public static final String STEPS = "steps.jsonl";
  /** Summary. */
  public static final String SUMMARY = "summary.json";

  private final Path dir;
  private final RunSpec spec;
  private final ObjectNode config;
  private final RunLock lock;
  // The model's parameters shown by name at the top level (the tutorial's w and b).
  private final List<String> flat;
  private final StepLogs logs;
  private final long startNanos = System.nanoTime();
  private final Instant startedAt = Instant.now();
  private final long fromSteps;
  private double initialLoss;
  private boolean finished;
  private List<String> metricNames = List.of();
  private List<Double> lastMetrics = List.of();
  // The last epoch's line, for summary.json (null: none ended in this process).
  private TrainingEvent.EpochEnded lastEpoch;

  private RunDirectory(Path dir, RunSpec spec, ObjectNode config, RunLock lock, long fromSteps,
      long lastLogged, boolean resumed, double initialLoss) throws IOException {
    this.dir = dir;
    this.spec = spec;
    this.config = config;
    this.lock = lock;
    this.fromSteps = fromSteps;
    this.initialLoss = initialLoss;
    Json.writeAtomically(dir.resolve(CONFIG), config);
    writeRunning();
    this.flat = Models.flatParameters(spec.model().name());
    this.logs = new StepLogs(dir, spec, flat, fromSteps, lastLogged, resumed);
  }

  /**
   * Reopens the run in {@code dir}, locked by {@code lock}, to continue from a checkpoint after
   * {@code fromSteps} steps: steps.jsonl is cut back to the steps before it (so every step
   * appears exactly once), the options are updated and the resume is recorded in config.json.
   * If the log holds fewer steps than the checkpoint says were logged ({@code lastLoggedStep};
   * null if the checkpoint does not say), the gap is recorded and reported on {@code err}.
   * {@code initialLoss}: the checkpoint's (NaN: unknown), shown while the run goes on.
   */
  public static RunDirectory resume(Path dir, RunSpec spec, long fromSteps, double initialLoss,
      Long lastLoggedStep, RunLock lock, java.io.PrintStream err) {
    RunFiles old = RunFiles.read(dir);
    try {
      long lastKept = StepLines.cutBefore(dir.resolve(STEPS), fromSteps);
      EpochLines.cutAfter(dir.resolve(EpochLines.FILE), fromSteps);
      ObjectNode config = old.config().deepCopy();
      config.set("options", RunConfig.options(spec));
      ArrayNode resumes = config.has("resumes") ? (ArrayNode) config.get("resumes")
          : config.putArray("resumes");
      ObjectNode r = resumes.addObject();
      r.put("from_step", fromSteps);
      r.put("at", Instant.now().toString());
      long chainFrom = lastKept;
      if (lastLoggedStep != null && lastLoggedStep > lastKept) {
        // The log was cut or deleted: keep training, but never hide that lines are missing.
        ObjectNode gap = r.putObject("log_gap");
        gap.put("after_step", lastKept);
        gap.put("through_step", lastLoggedStep);
        err.println("--resume " + dir + ": " + STEPS + " lost logged steps "
            + (lastKept < 0 ? "up to " : (lastKept + 1) + "..") + lastLoggedStep
            + " (cut or deleted); continuing from step " + fromSteps
            + ", the gap is recorded in config.json and summary.json");
        chainFrom = lastLoggedStep;
      }
      return new RunDirectory(dir, spec, config, lock, fromSteps, chainFrom, true, initialLoss);
    } catch (IOException | UncheckedIOException e) {
      lock.close();
      throw new RunDirectoryException("--resume " + dir + ": cannot rewrite: " + e.getMessage());
    }
  }

  /** The gaps recorded by resumes, for summary.json. */
  private static ArrayNode logGaps(ObjectNode config) {
    ArrayNode gaps = Json.MAPPER.createArrayNode();
    config.path("resumes").forEach(r -> {
      if (r.has("log_gap")) {
        gaps.add(r.get("log_gap").deepCopy());
      }
    });
    return gaps;
  }

  /**
   * Creates the directory {@code dir} (which must not exist, {@link NewDirectory}) and writes its
   * config.
   *
   * @throws RunDirectoryException if it exists or cannot be created
   */
  public static RunDirectory create(Path dir, RunSpec spec, String command) {
    NewDirectory.make(dir);
    RunLock lock = RunLock.acquire(dir, "--run-dir");
    ObjectNode config = RunConfig.create(spec, command);
    try {
      return new RunDirectory(dir, spec, config, lock, 0, -1, false, Double.NaN);
    } catch (IOException | UncheckedIOException e) {
      lock.close();
      throw new RunDirectoryException("--run-dir " + dir + ": cannot write: " + e.getMessage());
    }
  }

  /**
   * Starts the run afresh in the existing directory {@code dir}, locked by {@code lock}: an empty
   * directory (a mounted volume), or one of this same run that stopped before its first
   * checkpoint (nothing of it was committed). The files such a run wrote (config, summary, step
   * and epoch logs, TensorBoard events) are removed first; nothing else in {@code dir} is.
   */
  public static RunDirectory startOver(Path dir, RunSpec spec, String command, RunLock lock) {
    try {
      removeStartFiles(dir);
      return new RunDirectory(dir, spec, RunConfig.create(spec, command), lock, 0, -1, false,
          Double.NaN);
    } catch (IOException | UncheckedIOException e) {
      lock.close();
      throw new RunDirectoryException("--run-dir " + dir + ": cannot write: " + e.getMessage());
    }
  }

  /** Removes the files a run's start writes (config, summary, logs, TensorBoard events). */
  private static void removeStartFiles(Path dir) throws IOException {
    for (String name : List.of(CONFIG, SUMMARY, STEPS, EpochLines.FILE)) {
      Files.deleteIfExists(dir.resolve(name));
    }
    try (var events = Files.newDirectoryStream(dir, "events.out.tfevents.*")) {
      for (Path p : events) {
        Files.delete(p);
      }
    }
  }

  /**
   * Takes back the start of this new run (a signal came while it was made): its files are
   * removed and only {@link RunLock#FILE} stays, which the same command takes over once this
   * process has ended ({@link NewDirectory#holdsOnlyLock}). Best effort: the process is ending.
   */
  public void takeBack() {
    logs.close();
    try {
      removeStartFiles(dir);
    } catch (IOException | UncheckedIOException e) {
      // What stays is a start stopped after config.json, which --resume-if-exists starts over.
    }
  }

  /** The directory. */
  public Path path() {
    return dir;
  }

  /** Records the workers, the model and steps; other events it does not keep. */
  @Override
  public Result record(TrainingEvent event) {
    return attempt(() -> {
      if (event instanceof TrainingEvent.Step s) {
        onStep(s.record());
      } else if (event instanceof TrainingEvent.WorkersReady w) {
        onWorkersReady(w.workers());
      } else if (event instanceof TrainingEvent.ModelAdopted m) {
        onModel(m.initialParams(), m.metrics());
      } else if (event instanceof TrainingEvent.InitialLoss i) {
        initialLoss = i.loss();
        writeRunning(); // once a run: inspect shows it while the run goes on
      } else if (event instanceof TrainingEvent.EpochEnded e) {
        onEpoch(e);
      } else if (event instanceof TrainingEvent.Evaluated e) {
        lastMetrics = e.metrics(); // the summary's metrics go with its loss
      }
    });
  }

  /** Runs {@code write}; a write that fails (they throw UncheckedIOException) is Failed. */
  private static Result attempt(Runnable write) {
    try {
      write.run();
      return RunStore.OK;
    } catch (UncheckedIOException e) {
      return new RunStore.Failed(e.getMessage());
    }
  }

  /** summary.json while the run goes on: what {@code inspect} can show of it besides its log. */
  private void writeRunning() {
    if (finished) {
      return;
    }
    ObjectNode running = Json.object();
    running.put("status", "running");
    running.put("steps", fromSteps);
    running.put("planned_steps", spec.steps());
    running.put("started_at", startedAt.toString());
    if (!Double.isNaN(initialLoss)) {
      running.put("initial_loss", initialLoss);
    }
    running.set("log_gaps", logGaps(config));
    Json.writeAtomically(dir.resolve(SUMMARY), running);
  }

  private void onWorkersReady(List<String> workers) {
    ArrayNode list = config.putArray("workers");
    workers.forEach(list::add);
    Json.writeAtomically(dir.resolve(CONFIG), config);
  }

  private void onModel(List<NamedTensor> initialParams, List<String> metrics) {
    metricNames = List.copyOf(metrics);
    RunConfig.adoptModel(config, spec.model().name(), initialParams, metrics);
    Json.writeAtomically(dir.resolve(CONFIG), config);
  }

  @Override
  public Result checkpoint(TrainingState state) {
    if (state.params().isEmpty()) {
      // Stopped before the workers brought the model: there is nothing to go on from, and a
      // checkpoint of nothing made the directory one neither --resume nor --resume-if-exists
      // could continue (new-user round, 2026-12-07). The same command starts it over.
      return RunStore.OK;
    }
    return attempt(() -> {
      // Every line before the checkpoint's step reaches the disk first, so a resume after a
      // crash (or a power loss) finds each committed step logged.
      long logged = logs.forceBefore(state.steps());
      Checkpoints.write(dir.resolve(Checkpoints.FILE), state, spec.numbers(),
          spec.dataset().digest(), logged);
    });
  }

  @Override
  public java.util.Optional<TrainingState> committed() {
    java.nio.file.Path file = dir.resolve(Checkpoints.FILE);
    try {
      return java.nio.file.Files.exists(file)
          ? java.util.Optional.of(Checkpoints.read(file).state()) : java.util.Optional.empty();
    } catch (RuntimeException unreadable) {
      return java.util.Optional.empty();
    }
  }

  private void onStep(StepRecord r) {
    lastMetrics = r.metrics(); // at the step's parameters, as the summary's loss and params
    if (!logs.logs(r)) {
      logs.skipped(r);
      return;
    }
    logs.step(r, metricNames);
  }

  private void onEpoch(TrainingEvent.EpochEnded e) {
    lastEpoch = e;
    logs.epoch(e, metricNames);
  }

  /**
   * Records a run that ended without the coordinator's summary (its actor system or the
   * coordinator itself stopped): status failed with {@code message}, so summary.json never stays
   * {@code running}. Does nothing if the run has a final summary already.
   */
  public void abandon(String message) {
    if (!finished) {
      finish(new RunSummary(RunSummary.Status.FAILED, logs.lastLogged() + 1, spec.steps(), initialLoss,
          Double.NaN, List.of(), 0, 0, message));
    }
  }

  @Override
  public Result finish(RunSummary s) {
    finished = true;
    String closeProblem = null;
    if (s.status() != RunSummary.Status.FAILED && s.status() != RunSummary.Status.INTERRUPTED) {
      // A run that ended (not one to resume, whose log must go on as if it had not stopped)
      // logs the step it ended on, whatever --log-every.
      closeProblem = attemptEnd(s.steps());
    }
    // Reported in the summary below; the summary itself matters more than this log's tail.
    String closed = logs.close();
    closeProblem = closeProblem != null ? closeProblem : closed;
    ObjectNode summary = Json.object();
    summary.put("status", s.status().label());
    summary.put("steps", s.steps());
    summary.put("planned_steps", s.plannedSteps());
    summary.put("initial_loss", Double.isNaN(s.initialLoss()) ? initialLoss : s.initialLoss());
    summary.put("loss", s.loss());
    putMetrics(summary, lastMetrics);
    EpochLines.summarize(summary, lastEpoch, metricNames);
    if (!s.params().isEmpty()) {
      for (String name : flat) {
        Json.putTensor(summary, name, NamedTensor.find(s.params(), name));
      }
      summary.set("params", Json.params(s.params()));
    }
    summary.put("model", spec.model().name());
    summary.put("workers", s.workers());
    summary.put("wall_seconds", (System.nanoTime() - startNanos) / 1e9);
    summary.put("train_seconds", s.trainNanos() / 1e9);
    if (!s.message().isEmpty()) {
      summary.put("message", s.message());
    } else if (closeProblem != null) {
      summary.put("message", closeProblem);
    }
    summary.set("log_gaps", logGaps(config));
    if (s.status() == RunSummary.Status.FAILED || s.status() == RunSummary.Status.INTERRUPTED) {
      // --resume needs a checkpoint; a run stopped before its first one starts over instead.
      summary.put("resume", Checkpoints.holdsState(dir.resolve(Checkpoints.FILE))
          ? "--resume " + dir : "--resume-if-exists --run-dir " + dir);
    }
    return attempt(() -> Json.writeSummary(dir.resolve(SUMMARY), summary, lock::freeReserve));
  }

  /** Logs the run's last step if it was not ({@link StepLogs#ended}); the problem, or null. */
  private String attemptEnd(long steps) {
    try {
      logs.ended(steps, metricNames);
      return null;
    } catch (UncheckedIOException e) {
      return e.getMessage();
    }
  }

  private void putMetrics(ObjectNode node, List<Double> metrics) {
    for (int i = 0; i < metrics.size() && i < metricNames.size(); i++) {
      node.put(metricNames.get(i), metrics.get(i));
    }
  }

  /** The Euclidean norm of every value of {@code tensors}. */
  static double norm(List<NamedTensor> tensors) {
    double s = 0;
    for (NamedTensor t : tensors) {
      for (double v : t.values()) {
        s += v * v;
      }
    }
    return Math.sqrt(s);
  }

  /** Releases the run's lock; the directory is complete (or as complete as it will be). */
  @Override
  public void close() {
    lock.close();
  }
}
