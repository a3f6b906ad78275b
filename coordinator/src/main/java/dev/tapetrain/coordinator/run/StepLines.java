package dev.tapetrain.coordinator.run;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tapetrain.coordinator.StepRecord;
import dev.tapetrain.protocol.NamedTensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A run's steps.jsonl as it is written: one compact JSON object per logged step, appended
 * through one long-lived generator that writes UTF-8 straight into a buffer (no JSON tree per
 * step); nothing reaches the file before {@link #flush}. The line's fields, in order: step, prev,
 * loss, the model's metrics, then {@code w b grad_w grad_b} for a linear model or {@code params
 * grad_norm} for another, digest, learning_rate, step_ms, workers, ignored, reassignments.
 *
 * <p>Order of use: {@link #StepLines(Path, boolean)}, {@link #write} per logged step,
 * {@link #flush} when the run directory says so, {@link #close} at the end.
 */
final class StepLines implements AutoCloseable {

  private final JsonGenerator g;
  private final boolean linear;

  /** Appends to {@code file} (created if missing); {@code linear}: the tutorial's fields. */
  StepLines(Path file, boolean linear) throws IOException {
    this.g = Json.lineGenerator(new BufferedOutputStream(Files.newOutputStream(file,
        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
        1 << 16));
    this.linear = linear;
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
    if (linear) {
      Json.writeTensor(g, "w", NamedTensor.find(r.params(), "w"));
      Json.writeTensor(g, "b", NamedTensor.find(r.params(), "b"));
      Json.writeTensor(g, "grad_w", NamedTensor.find(r.gradients(), "w"));
      Json.writeTensor(g, "grad_b", NamedTensor.find(r.gradients(), "b"));
    } else {
      g.writeFieldName("params");
      g.writeTree(Json.params(r.params()));
      g.writeNumberField("grad_norm", RunDirectory.norm(r.gradients()));
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

  @Override
  public void close() throws IOException {
    g.close();
  }
}
