package dev.tapetrain.localrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapetrain.coordinator.run.EventFile;
import dev.tapetrain.coordinator.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorBoard event file of a run (issue 16, part 1), read back with {@link TfEvents}, a
 * reader written from TensorFlow's format alone: one event per logged step, the same steps and
 * values as steps.jsonl (as float32), and a resume that never shows a step twice.
 */
class TensorBoardLogTest {

  @TempDir
  Path dir;

  private static List<JsonNode> lines(Path run) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(run.resolve("steps.jsonl"))) {
      out.add(Json.MAPPER.readTree(l));
    }
    return out;
  }

  private static double norm(JsonNode nested) {
    double s = 0;
    for (double v : Json.doubles(flatten(nested))) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private static JsonNode flatten(JsonNode n) {
    com.fasterxml.jackson.databind.node.ArrayNode a = Json.MAPPER.createArrayNode();
    if (n.isArray()) {
      n.forEach(c -> flatten(c).forEach(a::add));
    } else {
      a.add(n);
    }
    return a;
  }

  @Test
  void everyLoggedStepIsOneEventWithTheLoggedValues() throws Exception {
    Path run = dir.resolve("softmax");
    Runs.Result r = Runs.run("--model", "softmax", "--classes", "3", "--steps", "23",
        "--log-every", "5", "--learning-rate", "0.5", "--run-dir", run.toString());
    assertEquals(0, r.exitCode(), r.err());
    List<TfEvents.Event> events = TfEvents.read(TfEvents.file(run));
    assertEquals("brain.Event:2", events.get(0).fileVersion());
    assertTrue(events.get(0).scalars().isEmpty());
    List<JsonNode> logged = lines(run);
    assertEquals(logged.size(), events.size() - 1);
    for (int i = 0; i < logged.size(); i++) {
      JsonNode line = logged.get(i);
      TfEvents.Event e = events.get(i + 1);
      assertNull(e.fileVersion());
      assertEquals(line.get("step").asLong(), e.step());
      Map<String, Float> s = e.scalars();
      assertEquals((float) line.get("loss").asDouble(), s.get("loss"), "loss at " + e.step());
      assertEquals((float) line.get("accuracy").asDouble(), s.get("accuracy"));
      assertEquals((float) line.get("learning_rate").asDouble(), s.get("learning_rate"));
      assertEquals((float) line.get("step_ms").asDouble(), s.get("step_ms"));
      assertEquals((float) line.get("grad_norm").asDouble(), s.get("grad_norm"));
      assertEquals((float) norm(line.get("params").get("w")), s.get("param_norm/w"));
      assertEquals((float) norm(line.get("params").get("b")), s.get("param_norm/b"));
      assertTrue(e.wallTime() > 1.7e9 && e.wallTime() < 4e9, "wall time in seconds");
    }
    assertEquals(List.of(0L, 5L, 10L, 15L, 20L, 22L),
        events.stream().skip(1).map(TfEvents.Event::step).toList());
  }

  @Test
  void aScalarParameterIsLoggedAsItself() throws Exception {
    Path run = dir.resolve("linear");
    assertEquals(0, Runs.run("--steps", "3", "--run-dir", run.toString()).exitCode());
    List<TfEvents.Event> events = TfEvents.read(TfEvents.file(run));
    JsonNode last = lines(run).get(2);
    assertEquals((float) last.get("w").asDouble(), events.get(3).scalars().get("param/w"));
    assertEquals((float) last.get("b").asDouble(), events.get(3).scalars().get("param/b"));
  }

  @Test
  void aResumedRunContinuesTheSameFileAndShowsEachStepOnce() throws Exception {
    Path reference = dir.resolve("reference");
    assertEquals(0, Runs.run("--steps", "40", "--run-dir", reference.toString()).exitCode());
    Path run = dir.resolve("run");
    assertEquals(0, Runs.run("--steps", "25", "--checkpoint-every", "10", "--run-dir",
        run.toString()).exitCode());
    assertEquals(0, Runs.run("--resume", run.toString(), "--steps", "40").exitCode());
    List<Long> steps = TfEvents.read(TfEvents.file(run)).stream().skip(1)
        .map(TfEvents.Event::step).toList();
    List<Long> expected = new ArrayList<>();
    for (long s = 0; s < 40; s++) {
      expected.add(s);
    }
    assertEquals(expected, steps);
    assertEquals(losses(reference), losses(run), "same values as one uninterrupted run");
  }

  private static List<Float> losses(Path run) throws Exception {
    return TfEvents.read(TfEvents.file(run)).stream().skip(1)
        .map(e -> e.scalars().get("loss")).toList();
  }

  @Test
  void resumeCutsStepsAtOrAfterTheCheckpointAndATornLastRecord() throws Exception {
    Path run = Files.createDirectory(dir.resolve("events"));
    try (EventFile f = EventFile.create(run)) {
      for (long s = 0; s < 30; s++) {
        f.scalars(s, Map.of("loss", (double) s));
      }
    }
    Path file = TfEvents.file(run);
    // A crash in the middle of a write: the first bytes of a record.
    Files.write(file, new byte[] {42, 0, 0, 0, 0, 0, 0, 0, 1, 2}, StandardOpenOption.APPEND);
    try (EventFile f = EventFile.resume(run, 20)) {
      for (long s = 20; s < 25; s++) {
        f.scalars(s, Map.of("loss", (double) -s));
      }
    }
    List<TfEvents.Event> events = TfEvents.read(file);
    assertEquals("brain.Event:2", events.get(0).fileVersion());
    List<Long> steps = events.stream().skip(1).map(TfEvents.Event::step).toList();
    List<Long> expected = new ArrayList<>();
    for (long s = 0; s < 25; s++) {
      expected.add(s);
    }
    assertEquals(expected, steps);
    assertEquals(19f, events.get(20).scalars().get("loss"));
    assertEquals(-20f, events.get(21).scalars().get("loss"));
  }
}
