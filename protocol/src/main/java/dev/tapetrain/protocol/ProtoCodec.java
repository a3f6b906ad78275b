package dev.tapetrain.protocol;

import dev.tapetrain.protocol.proto.ChunkResultProto;
import dev.tapetrain.protocol.proto.CsvDataProto;
import dev.tapetrain.protocol.proto.DataSourceProto;
import dev.tapetrain.protocol.proto.DatasetProto;
import dev.tapetrain.protocol.proto.ModelLayoutProto;
import dev.tapetrain.protocol.proto.ModelSpecProto;
import dev.tapetrain.protocol.proto.SettingProto;
import dev.tapetrain.protocol.proto.SyntheticDataProto;
import dev.tapetrain.protocol.proto.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps the value records ({@link NamedTensor}, {@link DatasetSpec},
 * {@link CoordinatorProtocol.ChunkResult}) to their protobuf encodings and back. Shared by the
 * actor serializer and by the checkpoint format, so one record has exactly one encoding.
 */
public final class ProtoCodec {

  private ProtoCodec() {}

  /** Encodes a tensor. */
  public static TensorProto toProto(NamedTensor t) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(t.name());
    for (int d : t.shape()) {
      b.addShape(d);
    }
    for (double v : t.values()) {
      b.addValues(v);
    }
    return b.build();
  }

  /** Decodes a tensor; throws {@link IllegalArgumentException} if shape and values disagree. */
  public static NamedTensor fromProto(TensorProto p) {
    int[] shape = new int[p.getShapeCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = p.getShape(i);
    }
    double[] values = new double[p.getValuesCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = p.getValues(i);
    }
    return new NamedTensor(p.getName(), shape, values);
  }

  /** Encodes a list of tensors. */
  public static List<TensorProto> tensorsToProto(List<NamedTensor> tensors) {
    List<TensorProto> out = new ArrayList<>(tensors.size());
    for (NamedTensor t : tensors) {
      out.add(toProto(t));
    }
    return out;
  }

  /** Decodes a list of tensors. */
  public static List<NamedTensor> tensorsFromProto(List<TensorProto> protos) {
    List<NamedTensor> out = new ArrayList<>(protos.size());
    for (TensorProto p : protos) {
      out.add(fromProto(p));
    }
    return out;
  }

  /** Encodes a dataset specification. */
  public static DatasetProto toProto(DatasetSpec spec) {
    DatasetProto.Builder b = DatasetProto.newBuilder().setData(toProto(spec.source()))
        .setChunkSize(spec.chunkSize());
    if (spec.validation() != null) {
      b.setValidation(toProto(spec.validation()));
    }
    if (spec.heldOut() > 0) {
      b.setHeldOut(spec.heldOut());
    }
    return b.build();
  }

  private static DataSourceProto toProto(DatasetSpec.Source src) {
    return DataSourceProto.newBuilder()
        .setFormat(src.format())
        .addAllSettings(settingsToProto(src.settings()))
        .addAllColumns(src.columns())
        .setTarget(src.target())
        .setRows(src.rows())
        .setDigest(src.digest())
        .build();
  }

  private static DatasetSpec.Source fromProto(DataSourceProto d) {
    return new DatasetSpec.Source(d.getFormat(), settingsFromProto(d.getSettingsList()),
        d.getColumnsList(), d.getTarget(), d.getRows(), d.getDigest());
  }

  /**
   * A dataset specification in the encoding of before 2026-12-06 (synthetic or CSV data only),
   * whose bytes the digest of checkpoints written before 2026-12-02 was computed from.
   *
   * @throws IllegalArgumentException for data of another format
   */
  public static DatasetProto toLegacyProto(DatasetSpec spec) {
    DatasetSpec.Source src = spec.source();
    DatasetProto.Builder b = DatasetProto.newBuilder().setChunkSize(spec.chunkSize());
    switch (src.format()) {
      case DatasetSpec.SYNTHETIC -> {
        SyntheticDataProto.Builder s = SyntheticDataProto.newBuilder()
            .setExamples(Long.parseLong(src.setting("examples")))
            .setTrueB(Double.parseDouble(src.setting("true-b")))
            .setNoise(Double.parseDouble(src.setting("noise")))
            .setSeed(Long.parseLong(src.setting("seed")))
            .setClasses(Integer.parseInt(src.setting("classes")));
        for (String w : src.setting("true-w").split(",")) {
          s.addTrueW(Double.parseDouble(w));
        }
        b.setSynthetic(s);
      }
      case DatasetSpec.CSV -> b.setCsv(CsvDataProto.newBuilder()
          .setPath(src.setting("path"))
          .addAllFeatures(src.columns())
          .setTarget(src.target())
          .setRows(src.rows())
          .setSha256(src.digest()));
      default -> throw new IllegalArgumentException("data of format " + src.format()
          + " have no encoding of before 2026-12-06");
    }
    return b.build();
  }

  /** Decodes a dataset specification, of today's encoding or an older one. */
  public static DatasetSpec fromProto(DatasetProto p) {
    DatasetSpec.Source source = switch (p.getSourceCase()) {
      case DATA -> fromProto(p.getData());
      case SYNTHETIC -> {
        SyntheticDataProto s = p.getSynthetic();
        yield DatasetSpec.Source.synthetic(s.getExamples(), s.getTrueWList(), s.getTrueB(),
            s.getNoise(), s.getSeed(), s.getClasses());
      }
      case CSV -> {
        CsvDataProto c = p.getCsv();
        yield DatasetSpec.Source.csv(c.getPath(), c.getFeaturesList(), c.getTarget(),
            c.getRows(), c.getSha256());
      }
      case SOURCE_NOT_SET -> throw new IllegalArgumentException("dataset has no source");
    };
    return new DatasetSpec(source, p.getChunkSize(),
        p.hasValidation() ? fromProto(p.getValidation()) : null, p.getHeldOut());
  }

  /** Encodes settings (name → canonical text) in name order. */
  public static List<SettingProto> settingsToProto(Map<String, String> settings) {
    List<SettingProto> out = new ArrayList<>(settings.size());
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      out.add(SettingProto.newBuilder().setName(e.getKey()).setValue(e.getValue()).build());
    }
    return out;
  }

  /** Decodes settings; a name given twice is refused. */
  public static Map<String, String> settingsFromProto(List<SettingProto> protos) {
    Map<String, String> out = new TreeMap<>();
    for (SettingProto p : protos) {
      if (out.put(p.getName(), p.getValue()) != null) {
        throw new IllegalArgumentException("setting " + p.getName() + " given twice");
      }
    }
    return out;
  }

  /** Encodes one chunk's sums. */
  public static ChunkResultProto toProto(CoordinatorProtocol.ChunkResult r) {
    return ChunkResultProto.newBuilder()
        .setChunk(r.chunk())
        .setCount(r.count())
        .setLossSum(r.lossSum())
        .addAllGradients(tensorsToProto(r.gradients()))
        .addAllMetricSums(r.metricSums())
        .setSpan(r.span() == 1 ? 0 : r.span())
        .build();
  }

  /** Decodes one chunk's sums. */
  public static CoordinatorProtocol.ChunkResult fromProto(ChunkResultProto p) {
    return new CoordinatorProtocol.ChunkResult(p.getChunk(), p.getCount(), p.getLossSum(),
        tensorsFromProto(p.getGradientsList()), p.getMetricSumsList(),
        p.getSpan() == 0 ? 1 : p.getSpan());
  }

  /** Encodes a model specification. */
  public static ModelSpecProto toProto(ModelSpec m) {
    return ModelSpecProto.newBuilder().setName(m.name()).setClasses(m.classes())
        .setSeed(m.seed()).addAllSettings(settingsToProto(m.settings()))
        .addAllClassWeights(m.classWeights()).build();
  }

  /**
   * Decodes a model specification. One written before 2026-12-06 carried every built-in model's
   * options whatever the model (hidden units, initial W and B, {@code hidden} never 0): they
   * become the settings of the model that declares them.
   */
  public static ModelSpec fromProto(ModelSpecProto p) {
    Map<String, String> settings = settingsFromProto(p.getSettingsList());
    if (p.getSettingsCount() == 0 && p.getHidden() != 0) {
      if (p.getName().equals("mlp")) {
        settings.put("hidden", Integer.toString(p.getHidden()));
      } else if (p.getName().equals(ModelSpec.LINEAR)) {
        List<String> w = new ArrayList<>();
        for (double v : p.getInitWList()) {
          w.add(Double.toString(v));
        }
        if (!w.isEmpty()) {
          settings.put("init-w", String.join(",", w));
        }
        settings.put("init-b", Double.toString(p.getInitB()));
      }
    }
    return new ModelSpec(p.getName(), p.getClasses(), p.getSeed(), settings,
        p.getClassWeightsList());
  }

  /** Encodes a model layout. */
  public static ModelLayoutProto toProto(ModelLayout l) {
    return ModelLayoutProto.newBuilder().addAllInitialParams(tensorsToProto(l.initialParams()))
        .addAllWeights(l.weights()).addAllMetrics(l.metrics()).setDigest(l.digest()).build();
  }

  /** Decodes a model layout. */
  public static ModelLayout fromProto(ModelLayoutProto p) {
    return new ModelLayout(tensorsFromProto(p.getInitialParamsList()), p.getWeightsList(),
        p.getMetricsList(), p.getDigest());
  }
}
