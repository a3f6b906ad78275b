package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.protocol.DatasetSpec;
import dev.tapetrain.protocol.Hashing;
import dev.tapetrain.protocol.ModelSpec;
import dev.tapetrain.protocol.ProtoCodec;
import dev.tapetrain.coordinator.spec.OptimizerSpec;
import dev.tapetrain.coordinator.spec.RunSpec;
import dev.tapetrain.coordinator.spec.StepPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's numbers as an older run's config.json states them: for checkpoints written before
 * 2026-12-02, which do not carry their {@link RunSpec#numbers()}. Such a checkpoint is matched to
 * its config.json by {@link #digest}, the digest those checkpoints carry; every newer checkpoint
 * is resumed from its own numbers instead.
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
    StepPolicy policy = new StepPolicy(o.path("batch_fraction").asDouble(1),
        o.path("batch_seed").asLong(0), o.path("l2").asDouble(0), o.path("tolerance").asDouble(0));
    return new RunSpec(workers, steps, o.path("learning_rate").asDouble(), optimizer(o),
        dataset(config), policy, logEvery, stepTimeout, waitTimeout, checkpointEvery,
        rejoinTimeout, model(o));
  }

  /**
   * The digest checkpoints written before 2026-12-02 carry: SHA-256 of a text of chosen options
   * followed by the dataset's bytes in the encoding of that time.
   */
  public static String digest(JsonNode config) {
    JsonNode o = config.path("options");
    JsonNode opt = o.path("optimizer_settings");
    StringBuilder text = new StringBuilder()
        .append("lr=").append(bits(o.path("learning_rate").asDouble()))
        .append(";b=").append(bits(o.path("init_b").asDouble()))
        .append(";opt=").append(o.path("optimizer").asText())
        .append(",m=").append(bits(opt.path("momentum").asDouble(0.9)))
        .append(",n=").append(opt.path("nesterov").asBoolean(false))
        .append(",b1=").append(bits(opt.path("beta1").asDouble(0.9)))
        .append(",b2=").append(bits(opt.path("beta2").asDouble(0.999)))
        .append(",e=").append(bits(opt.path("epsilon").asDouble(1e-7)))
        .append(";batch=").append(bits(o.path("batch_fraction").asDouble(1)))
        .append(",").append(o.path("batch_seed").asLong(0))
        .append(";l2=").append(bits(o.path("l2").asDouble(0)))
        .append(";tol=").append(bits(o.path("tolerance").asDouble(0)))
        .append(";w=");
    o.path("init_w").forEach(w -> text.append(bits(w.asDouble())).append(','));
    String model = o.path("model").asText(ModelSpec.LINEAR);
    if (!model.equals(ModelSpec.LINEAR)) {
      text.append(";model=").append(model).append(",k=").append(o.path("classes").asInt(0))
          .append(",h=").append(o.path("hidden").asInt(16)).append(",seed=")
          .append(o.path("batch_seed").asLong(0));
    }
    byte[] t = text.toString().getBytes(StandardCharsets.UTF_8);
    byte[] d = ProtoCodec.toLegacyProto(dataset(config)).toByteArray();
    byte[] all = Arrays.copyOf(t, t.length + d.length);
    System.arraycopy(d, 0, all, t.length, d.length);
    return Hashing.sha256Hex(all);
  }

  private static long bits(double v) {
    return Double.doubleToRawLongBits(v);
  }

  /** The data config.json's {@code dataset} section describes (synthetic or CSV). */
  public static DatasetSpec dataset(JsonNode config) {
    JsonNode d = config.path("dataset");
    DatasetSpec.Source source;
    if ("csv".equals(d.path("kind").asText())) {
      List<String> featureColumns = new ArrayList<>();
      d.path("features").forEach(f -> featureColumns.add(f.asText()));
      source = DatasetSpec.Source.csv(d.path("path").asText(), featureColumns,
          d.path("target").asText(), d.path("rows").asLong(), d.path("sha256").asText());
    } else {
      List<Double> w = new ArrayList<>();
      d.path("true_w").forEach(v -> w.add(v.asDouble()));
      source = DatasetSpec.Source.synthetic(d.path("examples").asLong(), w,
          d.path("true_b").asDouble(), d.path("noise").asDouble(), d.path("seed").asLong(),
          d.path("classes").asInt(0));
    }
    return new DatasetSpec(source, d.path("chunk_size").asInt());
  }

  /** The model config.json's options describe, with the settings of the model's own. */
  public static ModelSpec model(JsonNode o) {
    String name = o.path("model").asText(ModelSpec.LINEAR);
    Map<String, String> settings = new TreeMap<>();
    if (name.equals("mlp")) {
      settings.put("hidden", Integer.toString(o.path("hidden").asInt(16)));
    } else if (name.equals(ModelSpec.LINEAR)) {
      List<String> w = new ArrayList<>();
      o.path("init_w").forEach(v -> w.add(Double.toString(v.asDouble())));
      if (!w.isEmpty()) {
        settings.put("init-w", String.join(",", w));
      }
      settings.put("init-b", Double.toString(o.path("init_b").asDouble(10)));
    }
    return new ModelSpec(name, o.path("classes").asInt(0), o.path("batch_seed").asLong(0),
        settings);
  }

  private static OptimizerSpec optimizer(JsonNode o) {
    JsonNode opt = o.path("optimizer_settings");
    String name = o.path("optimizer").asText("sgd");
    Map<String, String> s = new TreeMap<>();
    switch (name) {
      case "momentum" -> {
        s.put("momentum", Double.toString(opt.path("momentum").asDouble(0.9)));
        s.put("nesterov", Boolean.toString(opt.path("nesterov").asBoolean(false)));
      }
      case "adam" -> {
        s.put("beta1", Double.toString(opt.path("beta1").asDouble(0.9)));
        s.put("beta2", Double.toString(opt.path("beta2").asDouble(0.999)));
        s.put("epsilon", Double.toString(opt.path("epsilon").asDouble(1e-7)));
      }
      default -> { }
    }
    return new OptimizerSpec(name, s);
  }
}
