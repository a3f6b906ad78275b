package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.protocol.NamedTensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A run's steps.jsonl as it is written: one compact JSON object per logged step, appended
 * through one long-lived generator that writes UTF-8 straight into a buffer (no JSON tree per
 * step); nothing reaches the file before {@link #flush}. The line's fields, in order: step, prev,
 * loss, the model's metrics, {@code params} (or {@code param_norms} for a model of more than
 * {@value #STEP_PARAMS_LIMIT} values), grad_norm, the model's flat parameters and their
 * gradients ({@code w b grad_w grad_b} for the linear model), digest, learning_rate, step_ms,
 * workers, ignored, reassignments.
 *
 * <p>Order of use: {@link #StepLines(Path, List)}, {@link #write} per logged step,
 * {@link #flush} when the run directory says so, {@link #close} at the end.
 */
final class StepLines implements AutoCloseable {

  private final FileChannel channel;
  private final JsonGenerator g;
  private final List<String> flat;

  /**
   * Up to this many parameter values a step line carries the parameters; a larger model's lines
   * carry each parameter's norm (its values are in the checkpoint and the summary).
   */
  static final int STEP_PARAMS_LIMIT = 100;

  private static long size(List<NamedTensor> params) {
    long n = 0;
    for (NamedTensor p : params) {
      n += p.size();
    }
    return n;
  }

  /**
   * Appends to {@code file} (created if missing); {@code flat}: the model's parameters written
   * by name at the top level, each with its gradient as {@code grad_NAME} (the tutorial's
   * {@code w} and {@code b}), or none: every parameter under {@code params}.
   */
  StepLines(Path file, List<String> flat) throws IOException {
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    this.g = Json.lineGenerator(new BufferedOutputStream(Channels.newOutputStream(channel),
        1 << 16));
    this.flat = List.copyOf(flat);
  }

  /** Writes {@code r}'s line; {@code prev} is the step of the line before (-1 for none). */
  void write(StepRecord r, long prev, List<String> metricNames) throws IOException {
    g.writeStartObject();
    g.writeNumberField("step", r.step());
    g.writeNumberField("prev", prev);
    g.writeNumberField("loss", r.loss());
    for (int i = 0; i < r.metrics().size() && i < metricNames.size(); i++) {
      g.writeNumberField(metricNames.get(i), r.metrics().get(i));
    }
    if (!Double.isNaN(r.valLoss())) {
      g.writeNumberField("val_loss", r.valLoss());
      for (int i = 0; i < r.valMetrics().size() && i < metricNames.size(); i++) {
        g.writeNumberField("val_" + metricNames.get(i), r.valMetrics().get(i));
      }
    }
    // One format for every model: the parameters themselves while they are few, their norms
    // beyond that (a line per step must not carry a large model: that is the checkpoint's job),
    // the gradient's norm; and, for a model that has them, its flat parameters by name with
    // their gradients (the tutorial's w, b, grad_w, grad_b).
    boolean few = size(r.params()) <= STEP_PARAMS_LIMIT;
    if (few) {
      g.writeFieldName("params");
      g.writeTree(Json.params(r.params()));
    } else {
      g.writeObjectFieldStart("param_norms");
      for (NamedTensor p : r.params()) {
        g.writeNumberField(p.name(), RunDirectory.norm(List.of(p)));
      }
      g.writeEndObject();
    }
    g.writeNumberField("grad_norm", RunDirectory.norm(r.gradients()));
    // The flat fields under the same limit: a linear model of 3000 features wrote 130 KB a
    // line (a new user's finding, 2026-12-07); readers take param_norms over them anyway.
    for (String name : few ? flat : List.<String>of()) {
      Json.writeTensor(g, name, NamedTensor.find(r.params(), name));
    }
    for (String name : few ? flat : List.<String>of()) {
      Json.writeTensor(g, "grad_" + name, NamedTensor.find(r.gradients(), name));
    }
    g.writeStringField("digest", StepRecord.hex(r.digest()));
    g.writeNumberField("learning_rate", r.learningRate());
    g.writeNumberField("step_ms", r.stepNanos() / 1e6);
    g.writeArrayFieldStart("workers");
    for (StepRecord.WorkerShare s : r.workers()) {
      g.writeStartObject();
      g.writeStringField("worker", s.worker());
      g.writeNumberField("chunks", s.chunks());
      g.writeNumberField("samples", s.samples());
      g.writeNumberField("compute_ms", s.computeNanos() / 1e6);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("ignored", r.ignored());
    g.writeArrayFieldStart("reassignments");
    for (StepRecord.Reassignment e : r.events()) {
      g.writeStartObject();
      g.writeStringField("worker", e.worker());
      g.writeStringField("reason", e.reason());
      g.writeNumberField("chunks_moved", e.chunksMoved());
      g.writeNumberField("recovery_ms", e.recoveryNanos() / 1e6);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeRaw('\n');
  }

  /** Hands what is written to the file. */
  void flush() throws IOException {
    g.flush();
  }

  /**
   * Hands what is written to the file and forces it to the disk: what a checkpoint or the
   * summary's status promises is logged survives a power loss.
   */
  void force() throws IOException {
    g.flush();
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    force();
    g.close();
  }

  /**
   * Cuts {@code file} back to its lines of steps before {@code fromSteps}, streaming (a log of
   * millions of lines is never held in memory) and keeping each line's bytes; a line torn by a
   * crash ends the log there.
   *
   * @return the last step kept, -1 for none
   */
  static long cutBefore(Path file, long fromSteps) throws IOException {
    if (!java.nio.file.Files.exists(file)) {
      java.nio.file.Files.createFile(file);
      return -1;
    }
    Path tmp = AtomicFiles.temporarySibling(file);
    long lastKept = -1;
    try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8);
        java.io.BufferedWriter out = java.nio.file.Files.newBufferedWriter(tmp, java.nio.charset.StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        com.fasterxml.jackson.databind.JsonNode n;
        try {
          n = Json.MAPPER.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException torn) {
          break;
        }
        if (n.has("step") && n.path("step").asLong() < fromSteps) {
          out.write(line);
          out.write('\n');
          lastKept = n.path("step").asLong();
        }
      }
    }
    AtomicFiles.moveInto(tmp, file);
    return lastKept;
  }
}
