package dev.tapetrain.coordinator.spec;

import dev.tapetrain.protocol.ProtoCodec;
import dev.tapetrain.protocol.proto.OptimizerProto;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The update rule of a run and its settings (the learning rate is in {@link RunSpec}).
 *
 * @param name     {@code sgd}, {@code momentum}, {@code adam} or a plug-in's name
 * @param settings the optimizer's declared settings by name, canonical texts, sorted by name
 */
public record OptimizerSpec(String name, Map<String, String> settings) {

  /** Copies the settings. */
  public OptimizerSpec {
    Objects.requireNonNull(name, "name");
    settings = Collections.unmodifiableMap(new TreeMap<>(settings));
  }

  /** Plain gradient descent. */
  public static OptimizerSpec sgd() {
    return new OptimizerSpec("sgd", Map.of());
  }

  /** The settings as they enter the run's numeric digest. */
  public OptimizerProto toProto() {
    return OptimizerProto.newBuilder().setName(name)
        .addAllSettings(ProtoCodec.settingsToProto(settings)).build();
  }

  /**
   * The settings {@link #toProto()} wrote; one written before 2026-12-06 carried every built-in
   * optimizer's settings whatever the optimizer, and keeps those of its own.
   */
  public static OptimizerSpec fromProto(OptimizerProto p) {
    Map<String, String> s = ProtoCodec.settingsFromProto(p.getSettingsList());
    if (p.getSettingsCount() == 0) {
      switch (p.getName()) {
        case "momentum" -> {
          s.put("momentum", Double.toString(p.getMomentum()));
          s.put("nesterov", Boolean.toString(p.getNesterov()));
        }
        case "adam" -> {
          s.put("beta1", Double.toString(p.getBeta1()));
          s.put("beta2", Double.toString(p.getBeta2()));
          s.put("epsilon", Double.toString(p.getEpsilon()));
        }
        default -> { }
      }
    }
    return new OptimizerSpec(p.getName(), s);
  }
}
