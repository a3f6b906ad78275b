package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.RunSummary;
import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.coordinator.TrainingListener;
import dev.tapetrain.coordinator.TrainingState;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.protocol.RunSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes one run's directory:
 * <ul>
 *   <li>{@code config.json}: every option, the dataset, the workers, versions;
 *   <li>{@code steps.jsonl}: one JSON object per logged step, flushed at least every 0.1 s
 *       ({@link FlushCadence}), before each checkpoint and at the end, so a reader can follow a
 *       run in progress;
 *   <li>{@code summary.json}: {@code status: running} from the start, replaced atomically by the
 *       final summary.
 * </ul>
 * A run never writes into an existing directory, so an older run cannot be overwritten.
 */
public final class RunDirectory implements TrainingListener {

  /** File names inside a run directory. */
  public static final String CONFIG = "config.json";
  /** Step log. */
  public static final String STEPS = "steps.jsonl";
  /** Summary. */
  public static final String SUMMARY = "summary.json";

  private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path dir;
  private final RunSpec spec;
  private final ObjectNode config;
  private final BufferedWriter steps;
  private final FlushCadence flushCadence = new FlushCadence();
  private final long startNanos = System.nanoTime();
  private double initialLoss = Double.NaN;

  private RunDirectory(Path dir, RunSpec spec, ObjectNode config, long fromSteps)
      throws IOException {
    this.dir = dir;
    this.spec = spec;
    this.config = config;
    Json.writeAtomically(dir.resolve(CONFIG), config);
    ObjectNode running = Json.object();
    running.put("status", "running");
    running.put("steps", fromSteps);
    running.put("planned_steps", spec.steps());
    Json.writeAtomically(dir.resolve(SUMMARY), running);
    this.steps = Files.newBufferedWriter(dir.resolve(STEPS), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /**
   * Reopens the run in {@code dir} to continue from a checkpoint after {@code fromSteps} steps:
   * steps.jsonl is cut back to the steps before it (so every step appears exactly once), the
   * options are updated and the resume is recorded in config.json.
   */
  public static RunDirectory resume(Path dir, RunSpec spec, ObjectNode options, long fromSteps) {
    RunLog old = RunLog.read(dir);
    try {
      StringBuilder kept = new StringBuilder();
      for (com.fasterxml.jackson.databind.JsonNode line : old.steps()) {
        if (line.path("step").asLong() < fromSteps) {
          kept.append(Json.MAPPER.writeValueAsString(line)).append('\n');
        }
      }
      Path tmp = dir.resolve(STEPS + ".tmp");
      Files.writeString(tmp, kept, StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve(STEPS), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      ObjectNode config = old.config().deepCopy();
      config.set("options", options);
      ArrayNode resumes = config.has("resumes") ? (ArrayNode) config.get("resumes")
          : config.putArray("resumes");
      ObjectNode r = resumes.addObject();
      r.put("from_step", fromSteps);
      r.put("at", Instant.now().toString());
      return new RunDirectory(dir, spec, config, fromSteps);
    } catch (IOException e) {
      throw new RunDirectoryException("--resume " + dir + ": cannot rewrite: " + e.getMessage());
    }
  }

  /**
   * Creates the directory {@code dir} (which must not exist) and writes its config.
   *
   * @param options the command-line options as given, recorded in config.json
   * @throws RunDirectoryException if it exists or cannot be created
   */
  public static RunDirectory create(Path dir, RunSpec spec, String command, ObjectNode options) {
    try {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new RunDirectoryException("--run-dir " + dir + " already exists; a run never "
          + "overwrites another (pick a new directory, or use --resume)");
    } catch (IOException e) {
      throw new RunDirectoryException("--run-dir " + dir + ": cannot create: " + e.getMessage());
    }
    ObjectNode config = Json.object();
    config.put("command", command);
    config.put("created_at", Instant.now().toString());
    config.set("options", options);
    config.set("dataset", Json.dataset(spec.dataset()));
    config.putArray("workers");
    ObjectNode versions = config.putObject("versions");
    versions.put("tapetrain", version());
    versions.put("java", System.getProperty("java.version"));
    versions.put("akka", "2.6.21");
    try {
      return new RunDirectory(dir, spec, config, 0);
    } catch (IOException e) {
      throw new RunDirectoryException("--run-dir " + dir + ": cannot write: " + e.getMessage());
    }
  }

  /** A fresh directory name under {@code root}: {@code yyyyMMdd-HHmmss}, suffixed if taken. */
  public static Path newRunPath(Path root) {
    String id = LocalDateTime.now().format(ID);
    Path p = root.resolve(id);
    for (int i = 2; Files.exists(p); i++) {
      p = root.resolve(id + "-" + i);
    }
    return p;
  }

  /** The directory. */
  public Path path() {
    return dir;
  }

  @Override
  public void onWorkersReady(List<String> workers) {
    ArrayNode list = config.putArray("workers");
    workers.forEach(list::add);
    Json.writeAtomically(dir.resolve(CONFIG), config);
  }

  @Override
  public void onInitialLoss(double loss) {
    initialLoss = loss;
  }

  @Override
  public void onCheckpoint(TrainingState state) {
    // Every line before the checkpoint's step reaches the file first, so a resume after a crash
    // finds each committed step logged.
    flushSteps();
    Checkpoints.write(dir.resolve(Checkpoints.FILE), state, spec.numericDigest(),
        dataDigest(spec));
  }

  /** The digest a checkpoint records for the data of {@code spec}. */
  public static String dataDigest(RunSpec spec) {
    return spec.dataset().source() instanceof dev.tapetrain.protocol.DatasetSpec.Csv csv
        ? csv.sha256() : "synthetic";
  }

  @Override
  public void onStep(StepRecord r) {
    boolean last = r.step() == spec.steps() - 1;
    if (r.step() % spec.logEvery() != 0 && !last && r.events().isEmpty()
        && (r.step() + 1) % spec.checkpointEvery() != 0) {
      return;
    }
    ObjectNode line = Json.object();
    line.put("step", r.step());
    line.put("loss", r.loss());
    Json.putTensor(line, "w", NamedTensor.find(r.params(), "w"));
    Json.putTensor(line, "b", NamedTensor.find(r.params(), "b"));
    Json.putTensor(line, "grad_w", NamedTensor.find(r.gradients(), "w"));
    Json.putTensor(line, "grad_b", NamedTensor.find(r.gradients(), "b"));
    line.put("digest", StepRecord.hex(r.digest()));
    line.put("learning_rate", r.learningRate());
    line.put("step_ms", r.stepNanos() / 1e6);
    ArrayNode workers = line.putArray("workers");
    for (StepRecord.WorkerShare s : r.workers()) {
      ObjectNode w = workers.addObject();
      w.put("worker", s.worker());
      w.put("chunks", s.chunks());
      w.put("samples", s.samples());
      w.put("compute_ms", s.computeNanos() / 1e6);
    }
    line.put("ignored", r.ignored());
    ArrayNode events = line.putArray("reassignments");
    for (StepRecord.Reassignment e : r.events()) {
      ObjectNode ev = events.addObject();
      ev.put("worker", e.worker());
      ev.put("reason", e.reason());
      ev.put("chunks_moved", e.chunksMoved());
      ev.put("recovery_ms", e.recoveryNanos() / 1e6);
    }
    try {
      steps.write(Json.MAPPER.writeValueAsString(line));
      steps.newLine();
      if (last || !r.events().isEmpty() || flushCadence.due()) {
        flushSteps();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(STEPS), e);
    }
  }

  private void flushSteps() {
    try {
      steps.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(STEPS), e);
    }
    flushCadence.flushed();
  }

  @Override
  public void onFinish(RunSummary s) {
    try {
      steps.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + dir.resolve(STEPS), e);
    }
    ObjectNode summary = Json.object();
    summary.put("status", s.status().label());
    summary.put("steps", s.steps());
    summary.put("planned_steps", s.plannedSteps());
    summary.put("initial_loss", Double.isNaN(s.initialLoss()) ? initialLoss : s.initialLoss());
    summary.put("loss", s.loss());
    Json.putTensor(summary, "w", NamedTensor.find(s.params(), "w"));
    Json.putTensor(summary, "b", NamedTensor.find(s.params(), "b"));
    summary.put("workers", s.workers());
    summary.put("wall_seconds", (System.nanoTime() - startNanos) / 1e9);
    summary.put("train_seconds", s.trainNanos() / 1e9);
    if (!s.message().isEmpty()) {
      summary.put("message", s.message());
    }
    Json.writeAtomically(dir.resolve(SUMMARY), summary);
  }

  private static String version() {
    String v = RunDirectory.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
