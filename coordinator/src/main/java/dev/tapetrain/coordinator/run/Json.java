package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapetrain.protocol.NamedTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The JSON conventions of a run directory. Doubles are written with {@code Double.toString}
 * (Jackson's default; steps.jsonl's lines with Jackson's faster shortest-digit writer), so every
 * number reads back to the same double; a parameter is a number
 * when it is a scalar and an array otherwise.
 */
public final class Json {

  /** The shared mapper. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  /**
   * A generator of a JSON-lines log on {@code out}, in the compact text the mapper writes: the
   * caller ends each value with {@code writeRaw('\n')}; {@code flush} and {@code close} pass on
   * to {@code out}.
   */
  public static JsonGenerator lineGenerator(OutputStream out) throws IOException {
    JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8);
    g.setRootValueSeparator(null);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT); // never finish a torn line
    // Schubfach: the shortest decimal that reads back to the same double, several times faster
    // than JDK 17's Double.toString (whose digits it equals except where those are not shortest).
    g.enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
    return g;
  }

  /** Writes a tensor's values as {@link #putTensor} puts them: a number or an array. */
  public static void writeTensor(JsonGenerator g, String field, NamedTensor t)
      throws IOException {
    if (t.shape().length == 0) {
      g.writeNumberField(field, t.values()[0]);
    } else {
      g.writeArrayFieldStart(field);
      for (double v : t.values()) {
        g.writeNumber(v);
      }
      g.writeEndArray();
    }
  }

  /** A new empty object. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Puts a tensor's values under {@code field}: a number for a scalar, else an array. */
  public static void putTensor(ObjectNode node, String field, NamedTensor t) {
    if (t.shape().length == 0) {
      node.put(field, t.values()[0]);
    } else {
      ArrayNode a = node.putArray(field);
      for (double v : t.values()) {
        a.add(v);
      }
    }
  }

  /**
   * Puts a tensor under {@code field} as nested arrays of its shape (a number for a scalar):
   * {@code [f, k]} becomes {@code f} arrays of {@code k} numbers.
   */
  public static void putNested(ObjectNode node, String field, NamedTensor t) {
    int[] shape = t.shape();
    if (shape.length == 0) {
      node.put(field, t.values()[0]);
      return;
    }
    node.set(field, nested(t.values(), shape, 0, 0));
  }

  private static ArrayNode nested(double[] values, int[] shape, int dim, int offset) {
    ArrayNode a = MAPPER.createArrayNode();
    int stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= shape[d];
    }
    for (int i = 0; i < shape[dim]; i++) {
      if (dim == shape.length - 1) {
        a.add(values[offset + i]);
      } else {
        a.add(nested(values, shape, dim + 1, offset + i * stride));
      }
    }
    return a;
  }

  /** Each parameter by name, as {@link #putNested} writes it. */
  public static ObjectNode params(List<NamedTensor> params) {
    ObjectNode o = object();
    for (NamedTensor p : params) {
      putNested(o, p.name(), p);
    }
    return o;
  }

  /** Reads a number or an array of numbers back into doubles. */
  public static double[] doubles(JsonNode node) {
    if (node == null || node.isNull()) {
      return new double[0];
    }
    if (node.isArray()) {
      double[] out = new double[node.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = number(node.get(i));
      }
      return out;
    }
    return new double[] {number(node)};
  }

  /** A number, also the non-finite values Jackson writes as strings ("NaN", "Infinity"). */
  public static double number(JsonNode node) {
    if (node.isTextual()) {
      return Double.parseDouble(node.asText());
    }
    return node.asDouble();
  }

  /**
   * Writes {@code node} to {@code file} atomically: a temporary file in the same directory,
   * forced to disk, then renamed over the target. A reader sees the old file or the new one.
   */
  public static void writeAtomically(Path file, JsonNode node) {
    AtomicFiles.write(file, text(node));
  }

  /**
   * Writes a final summary atomically; if that fails (a full disk), runs {@code freeSpace} (which
   * releases space the run reserved for this) and tries once more, so the outcome is recorded
   * even then.
   */
  public static void writeSummary(Path file, JsonNode node, Runnable freeSpace) {
    byte[] bytes = text(node);
    try {
      AtomicFiles.write(file, bytes);
    } catch (UncheckedIOException full) {
      freeSpace.run();
      AtomicFiles.write(file, bytes);
    }
  }

  private static byte[] text(JsonNode node) {
    try {
      return (MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }


}
