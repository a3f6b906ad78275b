package dev.tapetrain.protocol;

import dev.tapetrain.protocol.proto.ChunkResultProto;
import dev.tapetrain.protocol.proto.CsvDataProto;
import dev.tapetrain.protocol.proto.DatasetProto;
import dev.tapetrain.protocol.proto.ModelLayoutProto;
import dev.tapetrain.protocol.proto.ModelSpecProto;
import dev.tapetrain.protocol.proto.SyntheticDataProto;
import dev.tapetrain.protocol.proto.TensorProto;
import java.util.ArrayList;
import java.util.List;

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
    DatasetProto.Builder b = DatasetProto.newBuilder().setChunkSize(spec.chunkSize());
    if (spec.source() instanceof DatasetSpec.Synthetic s) {
      b.setSynthetic(SyntheticDataProto.newBuilder()
          .setExamples(s.examples())
          .addAllTrueW(s.trueW())
          .setTrueB(s.trueB())
          .setNoise(s.noise())
          .setSeed(s.seed())
          .setClasses(s.classes()));
    } else if (spec.source() instanceof DatasetSpec.Csv c) {
      b.setCsv(CsvDataProto.newBuilder()
          .setPath(c.path())
          .addAllFeatures(c.featureColumns())
          .setTarget(c.targetColumn())
          .setRows(c.rows())
          .setSha256(c.sha256()));
    }
    return b.build();
  }

  /** Decodes a dataset specification. */
  public static DatasetSpec fromProto(DatasetProto p) {
    DatasetSpec.Source source = switch (p.getSourceCase()) {
      case SYNTHETIC -> {
        SyntheticDataProto s = p.getSynthetic();
        yield new DatasetSpec.Synthetic(s.getExamples(), s.getTrueWList(), s.getTrueB(),
            s.getNoise(), s.getSeed(), s.getClasses());
      }
      case CSV -> {
        CsvDataProto c = p.getCsv();
        yield new DatasetSpec.Csv(c.getPath(), c.getFeaturesList(), c.getTarget(), c.getRows(),
            c.getSha256());
      }
      case SOURCE_NOT_SET -> throw new IllegalArgumentException("dataset has no source");
    };
    return new DatasetSpec(source, p.getChunkSize());
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
        .setHidden(m.hidden()).setSeed(m.seed()).addAllInitW(m.initW()).setInitB(m.initB())
        .build();
  }

  /** Decodes a model specification. */
  public static ModelSpec fromProto(ModelSpecProto p) {
    return new ModelSpec(p.getName(), p.getClasses(), p.getHidden(), p.getSeed(),
        p.getInitWList(), p.getInitB());
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
