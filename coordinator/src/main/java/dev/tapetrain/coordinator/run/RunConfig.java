package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.coordinator.optim.LearningRateSchedule;
import dev.tapetrain.coordinator.optim.Optimizers;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.data.InputFormats;
import dev.tapetrain.models.ModelNumerics;
import dev.tapetrain.models.Models;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.NamedTensor;
import dev.tapetrain.spi.Plugin;
import dev.tapetrain.spi.Plugins;
import dev.tapetrain.spi.Setting;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code config.json}, one codec: what a run writes ({@link #create}, {@link #options}, {@link
 * #dataset}) and what is read back ({@link #execution}; the numbers of runs whose checkpoints
 * predate them through {@link LegacyConfig}). Every section is derived from the run's
 * specification and its plug-ins' declared settings, so a setting is never listed by hand and
 * a setting a run does not use is never recorded.
 *
 * <pre>
 * { "command", "created_at",
 *   "options":  { model, classes, the model's settings, workers, steps, learning_rate,
 *                 optimizer, optimizer_settings { the optimizer's settings }, batch_fraction,
 *                 batch_seed, l2, tolerance, (with --batch-size: epochs, batch_size, shuffle,
 *                 drop_last, steps_per_epoch), chunk_size, log_every, checkpoint_every,
 *                 step_timeout_seconds, wait_timeout_seconds, rejoin_timeout_seconds },
 *   "dataset":  { kind (the input format), its settings, features, target, rows, digest,
 *                 chunk_size, chunks },
 *   "workers", "versions", then from the workers: "model", "initial_params", "metrics",
 *   and "resumes" }
 * </pre>
 * Setting names become JSON keys with underscores ({@code init-w} → {@code init_w}); values are
 * typed by their declaration (a list of numbers as an array, a flag as a boolean).
 */
public final class RunConfig {

  private RunConfig() {}

  /** The config of a new run, before any worker joined. */
  public static ObjectNode create(RunSpec spec, String command) {
    ObjectNode config = Json.object();
    config.put("command", command);
    config.put("created_at", Instant.now().toString());
    config.set("options", options(spec));
    config.set("dataset", dataset(spec.dataset()));
    config.putArray("workers");
    ObjectNode versions = config.putObject("versions");
    versions.put("tapetrain", version());
    versions.put("java", System.getProperty("java.version"));
    versions.put("akka", "2.6.21");
    versions.put("numerics", ModelNumerics.CURRENT);
    return config;
  }

  /** Every option's effective value. */
  public static ObjectNode options(RunSpec spec) {
    ObjectNode o = Json.object();
    ModelSpec model = spec.model();
    o.put("model", model.name());
    o.put("classes", model.classes());
    putSettings(o, model.settings(), declared(Models.plugins(Set.of()), model.name()));
    if (model.weighted()) {
      model.classWeights().forEach(o.putArray("class_weight")::add);
    }
    o.put("workers", spec.workers());
    o.put("steps", spec.steps());
    o.put("learning_rate", spec.learningRate());
    o.put("optimizer", spec.optimizer().name());
    putSettings(o.putObject("optimizer_settings"), spec.optimizer().settings(),
        declared(Optimizers.plugins(Set.of()), spec.optimizer().name()));
    if (!spec.schedule().constant()) {
      // Only runs with a schedule have these: a run without keeps its config.json unchanged.
      LearningRateSchedule s = spec.schedule();
      o.put("lr_schedule", s.kind());
      switch (s.kind()) {
        case "step" -> {
          s.boundaries().forEach(o.putArray("lr_boundaries")::add);
          s.values().forEach(o.putArray("lr_values")::add);
        }
        case "exponential" -> o.put("lr_decay_rate", s.decayRate())
            .put("lr_decay_steps", s.decaySteps());
        case "cosine" -> o.put("lr_decay_steps", s.decaySteps()).put("lr_min", s.minRate());
        default -> { }
      }
      o.put("warmup_steps", s.warmupSteps());
    }
    o.put("batch_fraction", spec.policy().batchFraction());
    o.put("batch_seed", spec.policy().batchSeed());
    o.put("l2", spec.policy().l2());
    o.put("tolerance", spec.policy().tolerance());
    if (spec.policy().epochs()) {
      // Only runs of epochs have these: a run without them keeps its config.json unchanged.
      long perEpoch = spec.policy().stepsPerEpoch(spec.dataset());
      o.put("epochs", spec.steps() / perEpoch);
      o.put("batch_size", spec.policy().batchSize());
      o.put("shuffle", spec.policy().shuffle());
      o.put("drop_last", spec.policy().dropLast());
      o.put("steps_per_epoch", perEpoch);
      DatasetSpec.Source validationData = spec.dataset().validation();
      if (validationData != null) {
        o.put("validation_data", dev.tapetrain.data.FileSet.describe(validationData));
        o.put("validation_samples", validationData.examples());
      }
      if (spec.policy().validationSplit() > 0 || validationData != null) {
        if (validationData == null) {
          o.put("validation_split", spec.policy().validationSplit());
        }
        o.put("training_samples", spec.policy().trainingSamples(spec.dataset()));
        if (spec.policy().validateEvery() > 0) {
          o.put("validate_every", spec.policy().validateEvery());
        }
      }
      if (spec.policy().earlyStop().tracks()) {
        o.put("early_stopping_patience", spec.policy().earlyStop().patience());
        o.put("min_delta", spec.policy().earlyStop().minDelta());
        o.put("monitor", spec.policy().earlyStop().monitor());
        o.put("restore_best", spec.policy().earlyStop().restoreBest());
      }
      if (spec.policy().earlyStop().reduces()) {
        if (!spec.policy().earlyStop().tracks()) {
          o.put("min_delta", spec.policy().earlyStop().minDelta());
          o.put("monitor", spec.policy().earlyStop().monitor());
        }
        o.put("reduce_lr_factor", spec.policy().earlyStop().reduceFactor());
        o.put("reduce_lr_patience", spec.policy().earlyStop().reducePatience());
        o.put("min_lr", spec.policy().earlyStop().minLr());
      }
    }
    o.put("chunk_size", spec.dataset().chunkSize());
    o.put("log_every", spec.logEvery());
    o.put("checkpoint_every", spec.checkpointEvery());
    o.put("step_timeout_seconds", seconds(spec.stepTimeout()));
    o.put("wait_timeout_seconds", seconds(spec.waitTimeout()));
    o.put("rejoin_timeout_seconds", seconds(spec.rejoinTimeout()));
    return o;
  }

  /** The data: their input format ({@code kind}) and its description. */
  public static ObjectNode dataset(DatasetSpec spec) {
    ObjectNode d = describe(spec.source());
    d.put("chunk_size", spec.chunkSize());
    d.put("chunks", spec.numChunks());
    if (spec.validation() != null) {
      // --validation-data: chunked after the training samples' chunks, with the same size.
      d.set("validation", describe(spec.validation()));
    }
    if (spec.heldOut() > 0) {
      // --validation-split: the last rows validate, chunked after the training rows' chunks.
      d.put("held_out", spec.heldOut());
    }
    return d;
  }

  private static ObjectNode describe(DatasetSpec.Source src) {
    ObjectNode d = Json.object();
    d.put("kind", src.format());
    Map<String, String> settings = new java.util.TreeMap<>(src.settings());
    settings.remove("features"); // the resolved columns below say it
    // The manifest (offsets and digests of every piece or row group) is in the checkpoint's
    // numbers; its tens of kilobytes would help no reader here, its digest does.
    String manifest = settings.remove("manifest");
    String rowGroups = settings.remove("row-groups");
    putSettings(d, settings, declared(InputFormats.plugins(Set.of()), src.format()));
    ArrayNode f = d.putArray("features");
    src.columns().forEach(f::add);
    d.put("target", src.target());
    d.put("rows", src.rows());
    d.put("digest", src.digest());
    if (manifest != null) {
      d.put("manifest_sha256", dev.tapetrain.protocol.Hashing.sha256Hex(
          manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    if (rowGroups != null) {
      d.put("row_groups_sha256", dev.tapetrain.protocol.Hashing.sha256Hex(
          rowGroups.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return d;
  }

  /**
   * Records the model the workers built: its name, its metrics and its parameters at step 0 —
   * the values while they are few ({@code initial_params}), each parameter's shape and norm for
   * a larger model ({@code initial_param_shapes}, {@code initial_param_norms}: the values are in
   * the checkpoint, and a config.json of megabytes helps nobody).
   */
  public static void adoptModel(ObjectNode config, String model, List<NamedTensor> initial,
      List<String> metrics) {
    config.put("model", model);
    long values = 0;
    for (NamedTensor p : initial) {
      values += p.size();
    }
    if (values <= StepLines.STEP_PARAMS_LIMIT) {
      config.set("initial_params", Json.params(initial));
    } else {
      ObjectNode shapes = config.putObject("initial_param_shapes");
      ObjectNode norms = config.putObject("initial_param_norms");
      for (NamedTensor p : initial) {
        ArrayNode s = shapes.putArray(p.name());
        for (int d : p.shape()) {
          s.add(d);
        }
        norms.put(p.name(), RunDirectory.norm(List.of(p)));
      }
    }
    ArrayNode m = config.putArray("metrics");
    metrics.forEach(m::add);
  }

  /**
   * The options a resumed run keeps unless given again.
   *
   * @param steps           {@code --steps}
   * @param logEvery        {@code --log-every}
   * @param checkpointEvery {@code --checkpoint-every}
   * @param stepTimeout     {@code --step-timeout}, seconds
   * @param waitTimeout     {@code --wait-timeout}, seconds
   * @param rejoinTimeout   {@code --rejoin-timeout}, seconds
   */
  public record Execution(long steps, int logEvery, long checkpointEvery, double stepTimeout,
      double waitTimeout, double rejoinTimeout) {}

  /** The execution options of {@code config}, or {@code defaults} for those it lacks. */
  public static Execution execution(JsonNode config, Execution defaults) {
    JsonNode o = config.path("options");
    return new Execution(o.path("steps").asLong(defaults.steps()),
        o.path("log_every").asInt(defaults.logEvery()),
        o.path("checkpoint_every").asLong(defaults.checkpointEvery()),
        o.path("step_timeout_seconds").asDouble(defaults.stepTimeout()),
        o.path("wait_timeout_seconds").asDouble(defaults.waitTimeout()),
        o.path("rejoin_timeout_seconds").asDouble(defaults.rejoinTimeout()));
  }

  /** The declared settings of plug-in {@code name}, or none if this JVM lacks it. */
  private static List<Setting> declared(Plugins<? extends Plugin> plugins, String name) {
    Plugin p = plugins.available().get(name);
    return p == null ? List.of() : p.settings();
  }

  /** Writes each setting under its name with underscores, typed by its declaration. */
  private static void putSettings(ObjectNode node, Map<String, String> settings,
      List<Setting> declared) {
    settings.forEach((name, text) -> {
      String key = name.replace('-', '_');
      Setting.Kind kind = declared.stream().filter(s -> s.name().equals(name))
          .map(Setting::kind).findFirst().orElse(null);
      if (kind == null) {
        kind = guess(text);
      }
      switch (kind) {
        case INTEGER -> node.put(key, Long.parseLong(text));
        case NUMBER -> node.put(key, Double.parseDouble(text));
        case FLAG -> node.put(key, Boolean.parseBoolean(text));
        case NUMBERS -> {
          ArrayNode a = node.putArray(key);
          for (String v : text.split(",")) {
            a.add(Double.parseDouble(v));
          }
        }
        default -> node.put(key, text);
      }
    });
  }

  /** The kind of an undeclared setting's text (a generator's seed, say). */
  private static Setting.Kind guess(String text) {
    if (text.matches("-?\\d{1,18}")) {
      return Setting.Kind.INTEGER;
    }
    try {
      Double.parseDouble(text);
      return text.matches("[-+0-9.eE]+") ? Setting.Kind.NUMBER : Setting.Kind.TEXT;
    } catch (NumberFormatException e) {
      return text.equals("true") || text.equals("false") ? Setting.Kind.FLAG
          : Setting.Kind.TEXT;
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static String version() {
    String v = RunConfig.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
