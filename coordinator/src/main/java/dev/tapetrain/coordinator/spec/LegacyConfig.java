package dev.tapetrain.coordinator.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.ModelSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's numbers as an older run's config.json states them: for checkpoints written before
 * 2026-12-02, which do not carry their {@link RunSpec#numbers()}. Such a checkpoint is matched to
 * the result with {@link RunSpec#legacyNumericDigest()}; every newer checkpoint is resumed from
 * its own numbers instead, so nothing else reads config.json back.
 */
public final class LegacyConfig {

  private LegacyConfig() {}

  /**
   * The run config.json describes, with this execution.
   *
   * @throws IllegalArgumentException for a value out of range
   */
  public static RunSpec spec(JsonNode config, int workers, long steps, int logEvery,
      Duration stepTimeout, Duration waitTimeout, long checkpointEvery, Duration rejoinTimeout) {
    JsonNode o = config.path("options");
    JsonNode d = config.path("dataset");
    DatasetSpec.Source source;
    if ("csv".equals(d.path("kind").asText())) {
      List<String> featureColumns = new ArrayList<>();
      d.path("features").forEach(f -> featureColumns.add(f.asText()));
      source = new DatasetSpec.Csv(d.path("path").asText(), featureColumns,
          d.path("target").asText(), d.path("rows").asLong(), d.path("sha256").asText());
    } else {
      List<Double> w = new ArrayList<>();
      d.path("true_w").forEach(v -> w.add(v.asDouble()));
      source = new DatasetSpec.Synthetic(d.path("examples").asLong(), w,
          d.path("true_b").asDouble(), d.path("noise").asDouble(), d.path("seed").asLong(),
          d.path("classes").asInt(0));
    }
    DatasetSpec dataset = new DatasetSpec(source, d.path("chunk_size").asInt());
    List<Double> initW = new ArrayList<>();
    o.path("init_w").forEach(v -> initW.add(v.asDouble()));
    JsonNode opt = o.path("optimizer_settings");
    OptimizerSpec optimizer = new OptimizerSpec(o.path("optimizer").asText(),
        opt.path("momentum").asDouble(Defaults.number(Defaults.MOMENTUM)),
        opt.path("nesterov").asBoolean(false),
        opt.path("beta1").asDouble(Defaults.number(Defaults.BETA1)),
        opt.path("beta2").asDouble(Defaults.number(Defaults.BETA2)),
        opt.path("epsilon").asDouble(Defaults.number(Defaults.EPSILON)));
    StepPolicy policy = new StepPolicy(o.path("batch_fraction").asDouble(1),
        o.path("batch_seed").asLong(0), o.path("l2").asDouble(0), o.path("tolerance").asDouble(0));
    ModelSpec model = new ModelSpec(o.path("model").asText(ModelSpec.LINEAR),
        o.path("classes").asInt(0), o.path("hidden").asInt(ModelSpec.DEFAULT_HIDDEN),
        o.path("batch_seed").asLong(0), initW, o.path("init_b").asDouble());
    return new RunSpec(workers, steps, o.path("learning_rate").asDouble(), initW,
        o.path("init_b").asDouble(), optimizer, dataset, policy, logEvery, stepTimeout,
        waitTimeout, checkpointEvery, rejoinTimeout, model);
  }
}
